// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.ui.text.input

class KeyboardType private constructor() {
    companion object {
        val Ascii: KeyboardType = TODO()
        val Password: KeyboardType = TODO()
        val NumberPassword: KeyboardType = TODO()
    }
}

interface VisualTransformation {
    companion object {
        val None: VisualTransformation = TODO()
    }
}

class PasswordVisualTransformation : VisualTransformation
