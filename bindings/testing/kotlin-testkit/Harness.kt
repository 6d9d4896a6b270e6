// The test harness of the Kotlin tests on the JVM: a plain main() calls test(name) { ... } for
// each test, with kotlin.test assertions, then finish(), which prints "N passed, N failed" and
// exits 1 when a test failed.

package lu.tessera.testkit

import kotlin.system.exitProcess

private var passed = 0
private var failed = 0

/** Runs one test: a throw (a failed assertion, say) fails it, and the run goes on. */
fun test(name: String, body: () -> Unit) {
    try {
        body(); passed++; println("ok   $name")
    } catch (t: Throwable) {
        failed++; println("FAIL $name: $t"); t.printStackTrace(System.out)
    }
}

/** Prints the totals and exits: 0 when every test passed, 1 otherwise. */
fun finish(): Nothing {
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
