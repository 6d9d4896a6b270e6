// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.foundation.layout

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.Dp

interface ColumnScope
interface RowScope

object Arrangement {
    interface Vertical
    fun spacedBy(space: Dp): Vertical = TODO()
    val Top: Vertical = TODO()
}

@Composable
fun Column(modifier: Modifier = Modifier, verticalArrangement: Arrangement.Vertical = Arrangement.Top, content: @Composable ColumnScope.() -> Unit) {}

fun Modifier.padding(all: Dp): Modifier = TODO()
fun Modifier.fillMaxSize(): Modifier = TODO()
fun Modifier.fillMaxWidth(): Modifier = TODO()
fun Modifier.aspectRatio(ratio: Float): Modifier = TODO()
