// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.lifecycle

import android.app.Application

abstract class Lifecycle

interface LifecycleOwner {
    val lifecycle: Lifecycle
}

abstract class ViewModel {
    protected open fun onCleared() {}
}

open class AndroidViewModel(application: Application) : ViewModel()
