// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android

object Manifest {
    object permission {
        const val CAMERA = "android.permission.CAMERA"
    }
}
