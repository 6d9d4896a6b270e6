// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package com.google.common.util.concurrent

import java.util.concurrent.Executor
import java.util.concurrent.Future

interface ListenableFuture<V> : Future<V> {
    fun addListener(listener: Runnable, executor: Executor)
}
