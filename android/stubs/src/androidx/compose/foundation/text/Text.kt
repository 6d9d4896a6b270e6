// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.foundation.text

import androidx.compose.ui.text.input.KeyboardType

class KeyboardOptions(val keyboardType: KeyboardType)
