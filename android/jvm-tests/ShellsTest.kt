// JVM tests of the Android shell's platform-independent Kotlin (scripts/shells runs them):
// frame packing from plane descriptions, the sample app's flow model, and error → message
// mapping in the three languages of res/values{,-en,-de}/strings.xml. Against the real generated
// bindings and the host test library (TestPortal, from the test-only crate tessera-ffi-testing,
// stands in for the portal), with fakes of the platform traits where the Android Keystore and
// BiometricPrompt would be (bindings/testing/kotlin-testkit, shared with the binding tests).
//
// A plain main() with kotlin.test assertions (the testkit's harness); prints "N passed,
// N failed" and exits 1 when a test fails. Argument: the sample app's res/ directory.

package lu.tessera.shells.test

import lu.tessera.android.FramePacker
import lu.tessera.android.PlaneView
import lu.tessera.android.Passcodes
import lu.tessera.android.TesseraPlatform
import lu.tessera.ffi.*
import lu.tessera.ffi.testing.TestPortal
import lu.tessera.ffi.testing.testMosaicFrame
import lu.tessera.sample.flow.FlowModel
import lu.tessera.sample.flow.FlowState
import lu.tessera.sample.flow.Msg
import lu.tessera.sample.flow.OtpText
import lu.tessera.sample.flow.Screen
import lu.tessera.sample.flow.UiText
import lu.tessera.sample.flow.messageFor
import lu.tessera.testkit.FakeBiometricGate
import lu.tessera.testkit.FakeClock
import lu.tessera.testkit.FakeKeystore
import lu.tessera.testkit.Finger
import lu.tessera.testkit.MemoryStorage
import lu.tessera.testkit.finish
import lu.tessera.testkit.test
import java.io.File
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.util.Locale
import java.util.concurrent.Executor
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertSame
import kotlin.test.assertTrue

const val ORIGIN = "https://portal.example.lu"
const val NOW = 1_764_400_000L
const val PASSCODE = "k7#pQ2!v"

/** Runs actions when told to, so a test can act while another action is "running". */
class QueuedExecutor : Executor {
    val queue = ArrayDeque<Runnable>()
    override fun execute(command: Runnable) { queue.addLast(command) }
    fun runAll() { while (queue.isNotEmpty()) queue.removeFirst().run() }
}

/** One phone running the sample's flow model, actions run at once (a direct executor). */
class Phone(executor: Executor = Executor { it.run() }) {
    val clock = FakeClock(NOW.toULong())
    /** The fake clock's time as the flow model reads it (Unix seconds). */
    var now: Long
        get() = clock.now.toLong()
        set(value) { clock.now = value.toULong() }
    val platform = TesseraPlatform(MemoryStorage(), FakeKeystore(), clock, null, AuthenticatorOptions(kdfBudgetMs = 0u, maxClockSkewSecs = 120u))
    val states = mutableListOf<FlowState>()
    val model = FlowModel(platform, executor) { now }.also { m -> m.listener = { states.add(it) } }
    val screen get() = model.state.screen
    val message get() = model.state.message

    /** Points the camera at [mosaic]: what the analyzer would hand to the model. */
    fun scan(mosaic: ByteArray, format: PixelFormat = PixelFormat.YUV420) {
        model.scan()
        assertEquals(Screen.Scanning, screen)
        val auth = assertNotNull(model.authenticator)
        try {
            model.onScanned(assertNotNull(auth.scanFrame(testMosaicFrame(mosaic, format)), "no mosaic in the frame"))
        } catch (e: TesseraException) {
            model.onScanError(e)
        }
    }
}

fun bytes(s: String) = s.toByteArray()

/** Activates [phone] for [user] through the flow screens; returns the confirmed token's portal. */
fun activate(portal: TestPortal, phone: Phone, user: String = "alice") {
    phone.scan(portal.enroll(user, NOW.toULong()))
    assertEquals(Screen.ActivationCode, phone.screen)
    phone.model.submitActivationCode(portal.activationCode(user))
    val ask = assertIs<Screen.ActivationPasscode>(phone.screen)
    phone.model.completeActivation(bytes(PASSCODE), if (ask.newVault) bytes(PASSCODE) else null)
    val done = assertIs<Screen.ActivationDone>(phone.screen)
    portal.confirm(user, done.confirmationCode, NOW.toULong() + 30u)
    phone.model.home()
}

// ---- Frames as a camera lays them out ------------------------------------------------------

/** Reads sample (x, y) of a plane. */
fun FramePlane.at(x: Int, y: Int) = data[y * rowStride.toInt() + x * pixelStride.toInt()]

/**
 * Re-lays a test frame's YUV planes as an Android camera does: Y rows padded to [yStride] with
 * garbage after the last row, and the chroma interleaved V/U (NV21) in one buffer, the U and V
 * planes being two views of it with pixel stride 2, as `ImageProxy` gives them.
 */
fun cameraPlanes(frame: CameraFrame, yStride: Int, cStride: Int): List<PlaneView> {
    val w = frame.width.toInt()
    val h = frame.height.toInt()
    val (yp, up, vp) = frame.planes
    val y = ByteArray(yStride * h + 4096) { 0x55 }
    for (row in 0 until h) for (x in 0 until w) y[row * yStride + x] = yp.at(x, row)
    val cw = (w + 1) / 2
    val ch = (h + 1) / 2
    val vu = ByteArray(cStride * ch) { 0x33 }
    for (row in 0 until ch) for (x in 0 until cw) {
        vu[row * cStride + 2 * x] = vp.at(x, row)
        vu[row * cStride + 2 * x + 1] = up.at(x, row)
    }
    val shared = ByteBuffer.allocateDirect(vu.size).put(vu).also { it.flip() }
    val vBuffer = shared.duplicate()
    val uBuffer = shared.duplicate().also { it.position(1) }.slice()
    val yBuffer = ByteBuffer.allocateDirect(y.size).put(y).also { it.flip() }
    return listOf(PlaneView(yBuffer, yStride, 1), PlaneView(uBuffer, cStride, 2), PlaneView(vBuffer, cStride, 2))
}

// ---- Strings ---------------------------------------------------------------------------------

/** The strings of one `res/values*` folder, with Android's escapes undone. */
fun loadStrings(file: File): Map<String, String> {
    val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file)
    val nodes = doc.getElementsByTagName("string")
    return (0 until nodes.length).associate { i ->
        val e = nodes.item(i) as org.w3c.dom.Element
        e.getAttribute("name") to e.textContent.replace("\\'", "'").replace("\\\"", "\"").replace("\\n", "\n")
    }
}

fun render(strings: Map<String, String>, locale: Locale, text: UiText): String {
    val format = assertNotNull(strings[text.msg.key], "missing string ${text.msg.key}")
    return String.format(locale, format, *text.args.toTypedArray())
}

/** One instance of every error Tessera throws (the `when` in messageFor is exhaustive too). */
fun everyError(): List<TesseraException> = listOf(
    TesseraException.WrongPasscode(3u),
    TesseraException.Locked(60u),
    TesseraException.Wiped(),
    TesseraException.VaultUnusable("REASON-CANARY"),
    TesseraException.NotActivated(),
    TesseraException.NotForThisDevice(),
    TesseraException.Expired(),
    TesseraException.AlreadyAnswered(),
    TesseraException.ClockWrong(-400),
    TesseraException.WrongActivationCode(),
    TesseraException.WeakPasscode("REASON-CANARY"),
    TesseraException.Cancelled(),
    TesseraException.BiometricInvalidated(),
    TesseraException.BiometricUnavailable("REASON-CANARY"),
    TesseraException.UnlockRequired(),
    TesseraException.StorageFailure("REASON-CANARY"),
    TesseraException.BadInput("REASON-CANARY"),
)

// ---- Tests -----------------------------------------------------------------------------------

fun main(args: Array<String>) {
    val res = File(args.getOrElse(0) { "android/sample/src/main/res" })
    val locales = mapOf(
        Locale.FRENCH to loadStrings(File(res, "values/strings.xml")),
        Locale.ENGLISH to loadStrings(File(res, "values-en/strings.xml")),
        Locale.GERMAN to loadStrings(File(res, "values-de/strings.xml")),
    )

    test("frame packing: the span of a plane, and strides that cannot be") {
        assertEquals(640 * 480, FramePacker.span("Y", 640, 480, 640, 1, 1))
        assertEquals(479 * 704 + 640, FramePacker.span("Y", 640, 480, 704, 1, 1))
        // Interleaved chroma: the last sample of the last row ends the span.
        assertEquals(239 * 672 + 319 * 2 + 1, FramePacker.span("U", 320, 240, 672, 2, 1))
        assertEquals(99 * 416 + 400, FramePacker.span("RGBA", 100, 100, 416, 4, 4))
        assertFailsWith<IllegalArgumentException> { FramePacker.span("Y", 640, 480, 639, 1, 1) }
        assertFailsWith<IllegalArgumentException> { FramePacker.span("RGBA", 10, 10, 64, 3, 4) }
        assertFailsWith<IllegalArgumentException> { FramePacker.span("Y", 0, 480, 640, 1, 1) }
        assertFailsWith<IllegalArgumentException> { FramePacker.span("Y", 65536, 65536, 65536, 1, 1) }
    }

    test("frame packing: only the span is copied, once, and the camera's buffers are left alone") {
        val w = 64; val h = 48; val stride = 80
        val y = ByteBuffer.allocateDirect(stride * h + 1000)
        for (i in 0 until y.capacity()) y.put(i, (i % 251).toByte())
        val u = ByteBuffer.allocateDirect(40 * 24)
        val v = ByteBuffer.allocateDirect(40 * 24)
        val planes = listOf(PlaneView(y, stride, 1), PlaneView(u, 40, 1), PlaneView(v, 40, 1))
        val packer = FramePacker()
        val frame = packer.packYuv420(w, h, planes)
        assertEquals(PixelFormat.YUV420, frame.format)
        assertEquals((h - 1) * stride + w, frame.planes[0].data.size, "no bytes after the last sample")
        assertEquals(23 * 40 + 32, frame.planes[1].data.size)
        assertEquals(80u, frame.planes[0].rowStride)
        assertEquals(y.get(5 * stride + 7), frame.planes[0].at(7, 5))
        assertEquals(0, y.position(), "the camera's buffer position is untouched")
        // The next frame of the same size reuses the arrays: no allocation per frame.
        val next = packer.packYuv420(w, h, planes)
        assertSame(frame.planes[0].data, next.planes[0].data)
        // Without chroma: the Y plane alone, as LUMA.
        packer.withChroma = false
        val luma = packer.packYuv420(w, h, planes)
        assertEquals(PixelFormat.LUMA, luma.format)
        assertEquals(1, luma.planes.size)
        // A buffer shorter than its strides say: refused before anything is read.
        val short = listOf(PlaneView(ByteBuffer.allocate(100), stride, 1), planes[1], planes[2])
        assertFailsWith<IllegalArgumentException> { packer.packYuv420(w, h, short) }
        assertFailsWith<IllegalArgumentException> { packer.packYuv420(w, h, planes.take(2)) }
    }

    test("frame packing: a camera-laid-out YUV frame (padded Y, NV21 chroma views) scans in the core") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            phone.model.start()
            val test = testMosaicFrame(portal.enroll("alice", NOW.toULong()), PixelFormat.YUV420)
            val w = test.width.toInt(); val h = test.height.toInt()
            val planes = cameraPlanes(test, yStride = (w + 63) / 64 * 64 + 64, cStride = (w + 1) / 2 * 2 + 32)
            val auth = assertNotNull(phone.model.authenticator)
            for (chroma in listOf(true, false)) {
                val frame = FramePacker(withChroma = chroma).packYuv420(w, h, planes)
                assertEquals(if (chroma) 3 else 1, frame.planes.size)
                val found = assertNotNull(auth.scanFrame(frame), "no mosaic found (chroma: $chroma)")
                assertIs<ScannedRequest.Activation>(found)
                found.destroy()
            }
            // A blank frame: nothing found, keep scanning.
            val blank = listOf(PlaneView(ByteBuffer.allocate(w * h), w, 1), PlaneView(ByteBuffer.allocate(w * h / 2), w, 2), PlaneView(ByteBuffer.allocate(w * h / 2), w, 2))
            assertNull(auth.scanFrame(FramePacker().packYuv420(w, h, blank)))
            phone.model.close()
        }
    }

    test("flow: activation screens, with a wrong activation code, different and weak passcodes") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            phone.model.start()
            val home = assertIs<Screen.Home>(phone.screen)
            assertFalse(home.activated)
            phone.scan(portal.enroll("alice", NOW.toULong()))
            assertEquals(Screen.ActivationCode, phone.screen)

            phone.model.submitActivationCode("AAAA-BBBB-CCCC-DDDD")
            assertEquals(Screen.ActivationCode, phone.screen)
            assertEquals(UiText(Msg.WRONG_ACTIVATION_CODE), phone.message)

            phone.model.submitActivationCode(portal.activationCode("alice"))
            val ask = assertIs<Screen.ActivationPasscode>(phone.screen)
            assertTrue(ask.newVault)
            assertEquals(ORIGIN, ask.details.origin)
            assertEquals("alice", ask.details.userId)

            val first = bytes(PASSCODE)
            val other = bytes("k7#pQ2!w")
            phone.model.completeActivation(first, other)
            assertEquals(UiText(Msg.PASSCODES_DIFFER), phone.message)
            assertTrue(first.all { it == 0.toByte() } && other.all { it == 0.toByte() }, "passcodes are cleared")

            phone.model.completeActivation(bytes("123456"), bytes("123456"))
            assertEquals(UiText(Msg.WEAK_PASSCODE), phone.message)
            assertIs<Screen.ActivationPasscode>(phone.screen)

            phone.model.completeActivation(bytes(PASSCODE), bytes(PASSCODE))
            val done = assertIs<Screen.ActivationDone>(phone.screen)
            // 24 letters and digits in dashed groups of four (review M3).
            assertEquals(29, done.confirmationCode.length)
            assertEquals(6, done.confirmationCode.split('-').size)
            portal.confirm("alice", done.confirmationCode, NOW.toULong() + 30u)

            phone.model.home()
            val after = assertIs<Screen.Home>(phone.screen)
            assertTrue(after.activated)
            assertEquals(listOf("alice"), after.tokens.map { (it.kind as TokenKind.Mosaic).userId })
            assertEquals(10, after.attemptsLeft)
            assertFalse(phone.model.state.busy, "busy ends with the action")
            assertTrue(phone.states.any { it.busy }, "and was shown while it ran")
            phone.model.close()
        }
    }

    test("flow: login with a wrong then the right passcode, OTP accepted, countdown to expiry") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            phone.model.start()
            activate(portal, phone)
            val issued = portal.login("alice", NOW.toULong() + 100u)
            phone.now = NOW + 100
            phone.scan(issued.mosaic)
            val details = assertIs<Screen.Details>(phone.screen)
            assertEquals(ChallengeKind.LOGIN, details.details.kind)
            assertFalse(details.biometricsEnabled)

            phone.model.approveWithPasscode(bytes("wrong-one"))
            assertEquals(UiText(Msg.WRONG_PASSCODE, listOf(9)), phone.message)
            assertIs<Screen.Details>(phone.screen)

            val passcode = bytes(PASSCODE)
            phone.model.approveWithPasscode(passcode)
            assertTrue(passcode.all { it == 0.toByte() }, "the passcode is cleared")
            val otp = assertIs<Screen.Otp>(phone.screen)
            assertEquals(ChallengeKind.LOGIN, otp.kind)
            assertEquals(details.details.expiresAt.toLong() - phone.now, otp.secondsLeft)
            assertTrue(otp.secondsLeft > 0)
            portal.verify(issued.id, "alice", false, otp.otp, NOW.toULong() + 110u)

            phone.now += 10
            phone.model.tick()
            assertEquals(otp.secondsLeft - 10, (phone.screen as Screen.Otp).secondsLeft)
            phone.now += 100_000
            phone.model.tick()
            assertEquals(0, (phone.screen as Screen.Otp).secondsLeft)
            phone.model.home()
            assertIs<Screen.Home>(phone.screen)
            phone.model.close()
        }
    }

    test("flow: biometrics enabled, cancel and lockout keep the screen, invalidation falls back to the passcode") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            phone.model.start()
            activate(portal, phone)
            val gate = FakeBiometricGate()
            phone.model.askEnableBiometrics()
            assertEquals(Screen.EnableBiometrics, phone.screen)
            phone.model.enableBiometrics(bytes(PASSCODE), gate)
            assertEquals(UiText(Msg.BIOMETRICS_ENABLED), phone.message)
            assertEquals(BiometricStatus.ENABLED, (phone.screen as Screen.Home).biometrics)

            val issued = portal.sign("alice", "120.50", "EUR", "Boulangerie Schmit", "LU280019400644750000", "Facture 1187", NOW.toULong())
            phone.scan(issued.mosaic, PixelFormat.BGRA)
            val details = assertIs<Screen.Details>(phone.screen)
            assertTrue(details.biometricsEnabled)
            assertEquals(TransactionDetails("120.50", "EUR", "Boulangerie Schmit", "LU280019400644750000", "Facture 1187", null), details.details.transaction)

            gate.mode = Finger.CANCEL
            phone.model.approveWithBiometrics(gate)
            assertEquals(UiText(Msg.CANCELLED), phone.message)
            gate.mode = Finger.LOCKOUT
            phone.model.approveWithBiometrics(gate)
            assertEquals(UiText(Msg.BIOMETRIC_UNAVAILABLE), phone.message)
            gate.mode = Finger.INVALIDATED
            phone.model.approveWithBiometrics(gate)
            assertEquals(UiText(Msg.BIOMETRIC_INVALIDATED), phone.message)
            assertFalse(assertIs<Screen.Details>(phone.screen).biometricsEnabled, "the biometric button goes")

            phone.model.approveWithPasscode(bytes(PASSCODE))
            val otp = assertIs<Screen.Otp>(phone.screen)
            assertEquals(ChallengeKind.TRANSACTION, otp.kind)
            portal.verify(issued.id, "alice", true, otp.otp, NOW.toULong() + 10u)
            phone.model.home()
            assertEquals(BiometricStatus.INVALIDATED, (phone.screen as Screen.Home).biometrics)
            phone.model.close()
        }
    }

    test("flow: replayed, expired and foreign mosaics end on the start screen with the reason") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            phone.model.start()
            activate(portal, phone)
            val issued = portal.login("alice", NOW.toULong())
            phone.scan(issued.mosaic)
            phone.model.approveWithPasscode(bytes(PASSCODE))
            assertIs<Screen.Otp>(phone.screen)
            phone.model.home()
            // The same mosaic again: shown, but answering it is refused.
            phone.scan(issued.mosaic)
            assertIs<Screen.Details>(phone.screen)
            phone.model.approveWithPasscode(bytes(PASSCODE))
            assertIs<Screen.Home>(phone.screen)
            assertEquals(UiText(Msg.ALREADY_ANSWERED), phone.message)
            // An old challenge.
            val old = portal.login("alice", NOW.toULong())
            phone.now = NOW + 100_000
            phone.scan(old.mosaic)
            assertIs<Screen.Home>(phone.screen)
            assertEquals(UiText(Msg.EXPIRED), phone.message)
            // Another user's mosaic.
            val other = Phone()
            other.model.start()
            activate(portal, other, "bob")
            phone.now = NOW
            phone.scan(portal.login("bob", NOW.toULong()).mosaic)
            assertEquals(UiText(Msg.NOT_FOR_THIS_DEVICE), phone.message)
            // A QR code that is not Tessera's: the camera stays open with a hint.
            phone.model.scan()
            phone.model.onScanError(TesseraException.BadInput("not a mosaic"))
            assertEquals(Screen.Scanning, phone.screen)
            assertEquals(UiText(Msg.NOT_A_TESSERA_CODE), phone.message)
            // An otpauth:// import is refused by this sample, and the object is closed.
            phone.model.onScanned(assertNotNull(phone.model.authenticator).read(bytes("otpauth://totp/A:b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")))
            assertEquals(UiText(Msg.IMPORT_NOT_SUPPORTED), phone.message)
            phone.model.close(); other.model.close()
        }
    }

    test("flow: ten wrong passcodes wipe; erase and start over") {
        TestPortal(ORIGIN).use { portal ->
            val phone = Phone()
            phone.model.start()
            activate(portal, phone)
            var sawLocked = false
            fun wiped() = (phone.screen as? Screen.Home)?.wiped == true
            for (i in 0 until 12) {
                phone.now += 3600 // past any delay
                phone.scan(portal.login("alice", phone.now.toULong()).mosaic)
                phone.model.approveWithPasscode(bytes("wrong-one"))
                if (wiped()) break
                // At once again: after three failures, the delay refuses it.
                phone.model.approveWithPasscode(bytes("wrong-one"))
                if (phone.message?.msg == Msg.LOCKED) sawLocked = true
                if (wiped()) break
                phone.model.home()
            }
            val home = assertIs<Screen.Home>(phone.screen)
            assertTrue(home.wiped)
            assertEquals(UiText(Msg.WIPED), phone.message)
            assertTrue(sawLocked, "a delay was shown as LOCKED")
            phone.model.eraseAndStartOver()
            val fresh = assertIs<Screen.Home>(phone.screen)
            assertFalse(fresh.activated || fresh.wiped)
            assertEquals(UiText(Msg.ERASED), phone.message)
            phone.now = NOW
            activate(portal, phone)
            assertTrue((phone.screen as Screen.Home).activated)
            phone.model.close()
        }
    }

    test("flow: one action at a time, on the worker; a refused action clears its passcode") {
        TestPortal(ORIGIN).use { portal ->
            val worker = QueuedExecutor()
            val phone = Phone(worker)
            phone.model.start()
            assertTrue(phone.model.state.busy)
            assertEquals(Screen.Loading, phone.screen, "nothing ran on the calling thread")
            worker.runAll()
            assertFalse(phone.model.state.busy)
            phone.model.scan()
            val auth = assertNotNull(phone.model.authenticator)
            phone.model.onScanned(assertNotNull(auth.scanFrame(testMosaicFrame(portal.enroll("alice", NOW.toULong()), PixelFormat.LUMA))))
            assertTrue(phone.model.state.busy)
            val refused = bytes(PASSCODE)
            phone.model.approveWithPasscode(refused)
            assertTrue(refused.all { it == 0.toByte() })
            assertEquals(1, worker.queue.size, "the second action was not queued")
            worker.runAll()
            assertEquals(Screen.ActivationCode, phone.screen)
            phone.model.close()
            phone.model.home()
            assertTrue(worker.queue.isEmpty(), "a closed model accepts nothing")
        }
    }

    test("messages: every error has a message in French, English and German, without its reason") {
        val keys = locales.values.map { it.keys }
        assertTrue(keys.all { it == keys[0] }, "the three locales have the same keys")
        for (msg in Msg.values()) for ((locale, strings) in locales) {
            val format = assertNotNull(strings[msg.key], "${msg.key} missing in $locale")
            val placeholders = Regex("%(\\d+)\\$[sd]").findAll(format).map { it.groupValues[1] }.toSet()
            assertEquals((1..msg.args).map { it.toString() }.toSet(), placeholders, "${msg.key} in $locale")
        }
        val seen = mutableSetOf<Msg>()
        for (e in everyError()) {
            val text = messageFor(e)
            seen += text.msg
            val rendered = locales.map { (locale, strings) -> render(strings, locale, text) }
            rendered.forEach { assertFalse(it.contains("REASON-CANARY"), "a reason reached the user: $it") }
            assertEquals(3, rendered.toSet().size, "${text.msg.key}: the three languages differ")
        }
        assertEquals(17, seen.size, "one message per error")
        assertEquals("Code secret incorrect. Essais restants avant effacement des clés : 3", render(locales.getValue(Locale.FRENCH), Locale.FRENCH, messageFor(TesseraException.WrongPasscode(3u))))
        assertEquals("This phone’s clock is off by about 7 min. Turn on automatic time.", render(locales.getValue(Locale.ENGLISH), Locale.ENGLISH, messageFor(TesseraException.ClockWrong(-400))))
        assertEquals("Zu viele Versuche. Versuchen Sie es in 60 s erneut.", render(locales.getValue(Locale.GERMAN), Locale.GERMAN, messageFor(TesseraException.Locked(60u))))
        assertEquals(listOf(1), messageFor(TesseraException.ClockWrong(59)).args)
        assertEquals(listOf(Int.MAX_VALUE), messageFor(TesseraException.Locked(ULong.MAX_VALUE)).args)
        assertNotEquals(0, messageFor(TesseraException.ClockWrong(Long.MIN_VALUE)).args[0] as Int)
    }

    test("the OTP is shown in groups and spoken digit by digit") {
        assertEquals("4750 0476", OtpText.grouped("47500476"))
        assertEquals("123 456", OtpText.grouped("123456"))
        assertEquals("4 7 5 0 0 4 7 6", OtpText.spoken("47500476"))
        assertEquals("0 0 1", OtpText.spoken("00 1"))
        assertEquals("7KQ3 9ZTM D1XB HN4R 02PF S8WC", OtpText.grouped("7KQ3-9ZTM-D1XB-HN4R-02PF-S8WC"))
        assertEquals("7 K Q 3 9 Z T M", OtpText.spoken("7KQ3-9ZTM"))
        assertEquals("Code : 4 7 5 0 0 4 7 6", String.format(Locale.FRENCH, locales.getValue(Locale.FRENCH).getValue("otp_spoken"), OtpText.spoken("47500476")))
    }

    test("passcodes cross as UTF-8 bytes, built without a String and cleared") {
        val chars = "pässw0rd€!".toCharArray()
        val seen = Passcodes.use(chars) { it.copyOf() }
        assertContentEquals("pässw0rd€!".toByteArray(Charsets.UTF_8), seen)
        assertTrue(chars.all { it == '\u0000' })
        assertFailsWith<CharacterCodingException> { Passcodes.utf8(charArrayOf('a', '\uD800')) }
    }

    finish()
}
