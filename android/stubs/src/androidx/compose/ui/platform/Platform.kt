// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.ui.platform

import android.content.Context
import androidx.compose.runtime.CompositionLocal

val LocalContext: CompositionLocal<Context> = TODO()
