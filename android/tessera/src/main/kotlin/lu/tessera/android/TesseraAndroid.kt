package lu.tessera.android

import android.content.Context
import android.os.SystemClock
import android.util.Log
import lu.tessera.ffi.Clock
import lu.tessera.ffi.LogLevel
import lu.tessera.ffi.Logger

/** The Android platform in one call: `TesseraAndroid.platform(context).open()` (off the main thread). */
object TesseraAndroid {
    /**
     * Storage in `noBackupFilesDir/tessera`, the Keystore device key (StrongBox when present), the
     * system clock, Logcat. The biometric gate is per screen: [AndroidBiometricGate].
     */
    fun platform(context: Context, logger: Logger? = LogcatLogger()): TesseraPlatform {
        val app = context.applicationContext
        return TesseraPlatform(FileSecureStorage(app), AndroidDeviceKeystore(app), AndroidClock(), logger)
    }
}

/** Wall clock for OTPs and expiry; `elapsedRealtimeNanos` (counts deep sleep, never goes back) for delays. */
class AndroidClock : Clock {
    override fun nowUnix(): ULong = (System.currentTimeMillis() / 1000).toULong()
    override fun monotonicNanos(): ULong = SystemClock.elapsedRealtimeNanos().toULong()
}

/** Tessera's events to Logcat (they never contain a secret: bindings/README.md). */
class LogcatLogger(private val tag: String = "Tessera") : Logger {
    override fun log(level: LogLevel, event: String) {
        when (level) {
            LogLevel.DEBUG -> Log.d(tag, event)
            LogLevel.INFO -> Log.i(tag, event)
            LogLevel.WARN -> Log.w(tag, event)
            LogLevel.ERROR -> Log.e(tag, event)
        }
    }
}
