// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.activity.compose

import androidx.activity.ComponentActivity
import androidx.activity.result.ActivityResultLauncher
import androidx.activity.result.contract.ActivityResultContract
import androidx.compose.runtime.Composable

fun ComponentActivity.setContent(content: @Composable () -> Unit) {}

@Composable
fun <I, O> rememberLauncherForActivityResult(contract: ActivityResultContract<I, O>, onResult: (O) -> Unit): ActivityResultLauncher<I> = TODO()
