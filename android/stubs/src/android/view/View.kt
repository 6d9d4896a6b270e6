// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.view

abstract class Window {
    fun setFlags(flags: Int, mask: Int) {}
}

interface WindowManager {
    class LayoutParams {
        companion object {
            const val FLAG_SECURE = 0x2000
        }
    }
}

open class View
