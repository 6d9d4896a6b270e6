// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.content.pm

abstract class PackageManager {
    abstract fun hasSystemFeature(name: String): Boolean
    companion object {
        const val FEATURE_STRONGBOX_KEYSTORE = "android.hardware.strongbox_keystore"
        const val PERMISSION_GRANTED = 0
    }
}
