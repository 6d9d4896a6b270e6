// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.util

class Size(val width: Int, val height: Int)

object Log {
    @JvmStatic fun d(tag: String, msg: String): Int = TODO()
    @JvmStatic fun i(tag: String, msg: String): Int = TODO()
    @JvmStatic fun w(tag: String, msg: String): Int = TODO()
    @JvmStatic fun e(tag: String, msg: String): Int = TODO()
}
