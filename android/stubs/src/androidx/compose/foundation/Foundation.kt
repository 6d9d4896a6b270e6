// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.foundation

import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier

class ScrollState

@Composable
fun rememberScrollState(): ScrollState = TODO()

fun Modifier.verticalScroll(state: ScrollState): Modifier = TODO()
