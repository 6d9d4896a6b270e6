// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.ui.graphics

class Color private constructor() {
    companion object {
        val Unspecified: Color = TODO()
    }
}
