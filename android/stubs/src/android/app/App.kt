// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package android.app

import android.content.Context
import android.os.Bundle
import android.view.Window

abstract class Application : Context()

abstract class Activity : Context() {
    val window: Window get() = TODO()
    protected open fun onCreate(savedInstanceState: Bundle?) {}
}
