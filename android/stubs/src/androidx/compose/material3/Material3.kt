// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.material3

import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.input.VisualTransformation

class ColorScheme {
    val error: Color get() = TODO()
}

class Typography {
    val displayMedium: TextStyle get() = TODO()
    val headlineMedium: TextStyle get() = TODO()
    val headlineSmall: TextStyle get() = TODO()
    val titleMedium: TextStyle get() = TODO()
    val bodyLarge: TextStyle get() = TODO()
    val bodyMedium: TextStyle get() = TODO()
    val labelMedium: TextStyle get() = TODO()
}

object MaterialTheme {
    val colorScheme: ColorScheme @Composable get() = TODO()
    val typography: Typography @Composable get() = TODO()
}

@Composable
fun MaterialTheme(content: @Composable () -> Unit) {}

@Composable
fun Surface(modifier: Modifier = Modifier, content: @Composable () -> Unit) {}

@Composable
fun Text(text: String, modifier: Modifier = Modifier, color: Color = Color.Unspecified, style: TextStyle = TextStyle()) {}

@Composable
fun Button(onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, content: @Composable RowScope.() -> Unit) {}

@Composable
fun OutlinedButton(onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, content: @Composable RowScope.() -> Unit) {}

@Composable
fun OutlinedTextField(
    value: String,
    onValueChange: (String) -> Unit,
    modifier: Modifier = Modifier,
    label: @Composable (() -> Unit)? = null,
    singleLine: Boolean = false,
    visualTransformation: VisualTransformation = VisualTransformation.None,
    keyboardOptions: KeyboardOptions? = null,
) {}

@Composable
fun CircularProgressIndicator(modifier: Modifier = Modifier) {}
