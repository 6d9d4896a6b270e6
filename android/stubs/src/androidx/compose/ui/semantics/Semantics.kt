// COMPILE-ONLY STUB of the Android/AndroidX API used by android/: signatures only, never run,
// never shipped (scripts/shells type-checks the Android shell against it; Gradle never sees it).
package androidx.compose.ui.semantics

import androidx.compose.ui.Modifier

interface SemanticsPropertyReceiver

var SemanticsPropertyReceiver.contentDescription: String
    get() = TODO()
    set(value) {}

var SemanticsPropertyReceiver.liveRegion: LiveRegionMode
    get() = TODO()
    set(value) {}

fun SemanticsPropertyReceiver.heading() {}

class LiveRegionMode private constructor() {
    companion object {
        val Polite: LiveRegionMode = TODO()
        val Assertive: LiveRegionMode = TODO()
    }
}

fun Modifier.semantics(mergeDescendants: Boolean = false, properties: SemanticsPropertyReceiver.() -> Unit): Modifier = TODO()

fun Modifier.clearAndSetSemantics(properties: SemanticsPropertyReceiver.() -> Unit): Modifier = TODO()
