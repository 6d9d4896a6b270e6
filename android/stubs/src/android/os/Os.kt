// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.os

object Build {
    object VERSION {
        @JvmField var SDK_INT: Int = 0
    }
}

class Looper private constructor() {
    companion object {
        @JvmStatic fun myLooper(): Looper? = TODO()
        @JvmStatic fun getMainLooper(): Looper = TODO()
    }
}

class Bundle

object SystemClock {
    @JvmStatic fun elapsedRealtimeNanos(): Long = TODO()
}
