// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.lifecycle.compose

import androidx.compose.runtime.CompositionLocal
import androidx.lifecycle.LifecycleOwner

val LocalLifecycleOwner: CompositionLocal<LifecycleOwner> = TODO()
