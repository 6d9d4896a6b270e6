"""The app's flows through the generated Python module, with pytest.

scripts/bindings copies tessera_ffi.py, tessera_ffi_testing.py (TestPortal),
libtessera_ffi_testing.so (the test library: tessera-ffi plus the portal,
bindings/testing) and this file into one folder and runs pytest there. The
fakes below implement the platform traits as a shell would; the keystore and
biometric "keys" are HMAC-based stand-ins for AES-GCM (the standard library
has no AEAD).
"""

import hashlib
import hmac
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import tessera_ffi as t
# Module-qualified: pytest would collect test_mosaic_frame (and TestPortal) as tests.
import tessera_ffi_testing as tt

ORIGIN = "https://portal.example.lu"
NOW = 1_764_400_000
PASSCODE = b"k7#pQ2!v"


# ---- Fakes of the platform traits ----------------------------------------------


class Sealer:
    """Authenticated encryption from SHA-256 (stream) and HMAC (tag)."""

    def __init__(self):
        self.key = os.urandom(32)

    def _stream(self, nonce, n):
        out = b""
        counter = 0
        while len(out) < n:
            out += hashlib.sha256(self.key + nonce + counter.to_bytes(8, "big")).digest()
            counter += 1
        return out[:n]

    def seal(self, plain):
        nonce = os.urandom(16)
        body = bytes(a ^ b for a, b in zip(plain, self._stream(nonce, len(plain))))
        tag = hmac.new(self.key, nonce + body, hashlib.sha256).digest()
        return nonce + body + tag

    def open(self, sealed):
        nonce, body, tag = sealed[:16], sealed[16:-32], sealed[-32:]
        if len(sealed) < 48 or not hmac.compare_digest(tag, hmac.new(self.key, nonce + body, hashlib.sha256).digest()):
            return None
        return bytes(a ^ b for a, b in zip(body, self._stream(nonce, len(body))))


class MemoryStorage(t.SecureStorage):
    def __init__(self):
        self.blobs = {}
        self.broken = False
        self.lock = threading.Lock()

    def _check(self):
        if self.broken:
            raise t.PlatformError.Unavailable("disk gone")

    def read(self, name):
        self._check()
        with self.lock:
            return self.blobs.get(name)

    def write(self, name, data):
        self._check()
        with self.lock:
            self.blobs[name] = bytes(data)

    def delete(self, name):
        self._check()
        with self.lock:
            self.blobs.pop(name, None)


class FakeKeystore(t.DeviceKeystore):
    def __init__(self):
        self.sealer = None
        self.gen = 0
        self.crash_on_set_generation = False
        self.mac_key = os.urandom(32)
        self.macs = 0

    def create_key(self):
        if self.sealer is None:
            self.sealer = Sealer()

    def wrap(self, plaintext):
        if self.sealer is None:
            raise t.PlatformError.KeyMissing()
        return self.sealer.seal(plaintext)

    def unwrap(self, wrapped):
        if self.sealer is None:
            raise t.PlatformError.KeyMissing()
        plain = self.sealer.open(wrapped)
        if plain is None:
            raise t.PlatformError.Rejected()
        return plain

    def generation(self):
        return self.gen

    def set_generation(self, generation):
        if self.crash_on_set_generation:
            self.crash_on_set_generation = False
            raise RuntimeError("keystore crashed")
        self.gen = generation

    def hardware_mac(self, data):
        # HMAC-SHA256 under a key of its own, created and deleted with the
        # wrapping key, as a Keystore HMAC key would compute it.
        if self.sealer is None:
            raise t.PlatformError.KeyMissing()
        self.macs += 1
        return hmac.new(self.mac_key, bytes(data), hashlib.sha256).digest()

    def delete_key(self):
        # The keys and the generation with them (the core's DeviceKeystore contract).
        self.sealer = None
        self.gen = 0


class FakeGate(t.BiometricGate):
    """mode: what the user or the sensor does at the prompt."""

    def __init__(self):
        self.sealer = Sealer()
        self.mode = "ok"

    def enroll(self, slot_key):
        return self.sealer.seal(slot_key)

    def unlock(self, blob):
        if self.mode == "cancel":
            raise t.PlatformError.Cancelled()
        if self.mode == "invalidated":
            raise t.PlatformError.KeyInvalidated()
        if self.mode == "crash":
            raise ZeroDivisionError("sensor crashed")
        return self.sealer.open(blob) or b""


class FakeClock(t.Clock):
    def __init__(self, now):
        self.now = now

    def now_unix(self):
        return self.now

    def monotonic_nanos(self):
        import time

        return time.monotonic_ns()


class ListLogger(t.Logger):
    def __init__(self):
        self.lines = []

    def log(self, level, event):
        self.lines.append(f"{level} {event}")


class Phone:
    def __init__(self):
        self.storage = MemoryStorage()
        self.keystore = FakeKeystore()
        self.clock = FakeClock(NOW)
        self.logger = ListLogger()
        self.auth = self.open()

    def open(self):
        options = t.AuthenticatorOptions(kdf_budget_ms=0, max_clock_skew_secs=120)
        return t.Authenticator(self.storage, self.keystore, self.clock, self.logger, options)

    def restart(self):
        self.auth = self.open()

    def failures(self):
        return self.auth.status().failures


@pytest.fixture
def portal():
    return tt.TestPortal(ORIGIN)


def activate(portal, phone, user="alice", fmt=t.PixelFormat.YUV420):
    mosaic = portal.enroll(user, NOW)
    scanned = phone.auth.scan_frame(tt.test_mosaic_frame(mosaic, fmt))
    assert scanned is not None and scanned.is_ACTIVATION()
    activation = scanned.activation
    details = activation.unseal(portal.activation_code(user))
    assert (details.origin, details.user_id) == (ORIGIN, user)
    done = activation.complete(PASSCODE)
    assert done.token.kind.is_MOSAIC()
    # 24 Crockford base32 characters in dashed groups of four, carrying the
    # phone's own secret (review M3); the portal forgives lower case.
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}", done.confirmation_code)
    portal.confirm(user, done.confirmation_code.lower(), NOW + 30)
    phone.confirmation = done.confirmation_code


@pytest.fixture
def phone(portal):
    p = Phone()
    activate(portal, p)
    return p


def challenge(phone, mosaic):
    scanned = phone.auth.read(mosaic)
    assert scanned.is_CHALLENGE()
    return scanned.challenge


# ---- Tests -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(t.PixelFormat))
def test_activation_from_camera_frames(portal, fmt):
    p = Phone()
    assert not p.auth.is_activated()
    assert p.auth.status().is_NO_VAULT()
    activate(portal, p, fmt=fmt)
    assert p.auth.is_activated()
    assert len(p.auth.tokens()) == 1


def test_login_is_accepted_once(portal, phone):
    issued = portal.login("alice", NOW + 100)
    phone.clock.now = NOW + 100
    login = challenge(phone, issued.mosaic)
    details = login.details()
    assert details.kind == t.ChallengeKind.LOGIN
    assert details.challenge_id == issued.id
    assert details.transaction is None
    otp = login.approve_with_passcode(PASSCODE)
    portal.verify(issued.id, "alice", False, otp, NOW + 110)
    with pytest.raises(t.TesseraError.AlreadyAnswered):
        login.approve_with_passcode(PASSCODE)
    with pytest.raises(t.TesseraError.AlreadyAnswered):
        challenge(phone, issued.mosaic).approve_with_passcode(PASSCODE)


def test_transaction_shows_what_it_signs(portal, phone):
    issued = portal.sign("alice", "120.50", "EUR", "Boulangerie Schmit", "LU280019400644750000", None, NOW)
    tx = challenge(phone, issued.mosaic)
    shown = tx.details().transaction
    assert (shown.amount, shown.currency, shown.payee, shown.iban) == (
        "120.50",
        "EUR",
        "Boulangerie Schmit",
        "LU280019400644750000",
    )
    otp = tx.approve_with_passcode(PASSCODE)
    with pytest.raises(t.TesseraError.BadInput):
        portal.verify(issued.id, "alice", False, otp, NOW + 1)
    portal.verify(issued.id, "alice", True, otp, NOW + 1)


def test_wrong_passcodes_then_delay_then_wipe(portal, phone):
    macs = phone.keystore.macs
    for left in (9, 8, 7):
        with pytest.raises(t.TesseraError.WrongPasscode) as e:
            phone.auth.unlock_with_passcode(b"wrong-one")
        assert e.value.attempts_left == left
    # Each guess went through the device's hardware MAC once (ADR 0009).
    assert phone.keystore.macs == macs + 3
    with pytest.raises(t.TesseraError.Locked) as e:
        phone.auth.unlock_with_passcode(PASSCODE)
    assert e.value.retry_after_secs >= 30
    assert phone.keystore.macs == macs + 3
    phone.restart()
    with pytest.raises(t.TesseraError.Locked):
        phone.auth.unlock_with_passcode(PASSCODE)
    for _ in range(20):
        phone.clock.now += 100_000
        try:
            phone.auth.unlock_with_passcode(b"wrong-one")
            pytest.fail("a wrong passcode unlocked")
        except t.TesseraError.WrongPasscode:
            continue
        except t.TesseraError.Wiped:
            break
    assert phone.auth.status().is_WIPED()
    assert phone.keystore.sealer is None
    t.erase_vault(phone.storage, phone.keystore)
    phone.clock.now = NOW
    phone.restart()
    assert phone.auth.status().is_NO_VAULT()
    activate(portal, phone)


def test_biometric_cancel_and_invalidation(portal, phone):
    gate = FakeGate()
    with pytest.raises(t.TesseraError.BiometricUnavailable):
        phone.auth.unlock_with_biometrics(gate)
    phone.auth.unlock_with_passcode(PASSCODE).enable_biometrics(gate)
    assert phone.auth.status().biometrics == t.BiometricStatus.ENABLED
    issued = portal.login("alice", NOW)
    login = challenge(phone, issued.mosaic)
    gate.mode = "cancel"
    with pytest.raises(t.TesseraError.Cancelled):
        login.approve_with_biometrics(gate)
    assert phone.failures() == 0
    gate.mode = "ok"
    portal.verify(issued.id, "alice", False, login.approve_with_biometrics(gate), NOW + 1)
    gate.mode = "invalidated"
    with pytest.raises(t.TesseraError.BiometricInvalidated):
        phone.auth.unlock_with_biometrics(gate)
    assert phone.auth.status().biometrics == t.BiometricStatus.INVALIDATED
    fresh = FakeGate()
    phone.auth.unlock_with_passcode(PASSCODE).enable_biometrics(fresh)
    assert phone.auth.unlock_with_biometrics(fresh).method() == t.UnlockMethod.BIOMETRICS


def test_a_gate_that_raises_anything_costs_an_attempt(phone):
    gate = FakeGate()
    phone.auth.unlock_with_passcode(PASSCODE).enable_biometrics(gate)
    gate.mode = "crash"
    with pytest.raises(t.TesseraError.BiometricUnavailable) as e:
        phone.auth.unlock_with_biometrics(gate)
    assert "sensor crashed" in e.value.reason
    assert phone.failures() == 1


def test_storage_failure_and_a_crashing_keystore(phone):
    phone.storage.broken = True
    with pytest.raises(t.TesseraError.StorageFailure):
        phone.auth.unlock_with_passcode(PASSCODE)
    phone.storage.broken = False
    assert phone.failures() == 0
    phone.keystore.crash_on_set_generation = True
    with pytest.raises(t.TesseraError.StorageFailure):
        phone.auth.unlock_with_passcode(b"wrong-one")
    phone.restart()
    assert phone.failures() == 1
    phone.auth.unlock_with_passcode(PASSCODE)
    assert phone.failures() == 0


def test_import_and_codes():
    p = Phone()
    uri = b"otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8"
    scanned = p.auth.read(uri)
    assert scanned.is_IMPORT()
    imp = scanned.pending_import
    assert [x.label for x in imp.tokens()] == ["Example:alice"]
    with pytest.raises(t.TesseraError.WeakPasscode):
        imp.import_tokens(b"123456")
    token_id = imp.import_tokens(PASSCODE)[0].id
    p.clock.now = 59
    vault = p.auth.unlock_with_passcode(PASSCODE)
    code = vault.code(token_id)
    assert (code.code, code.valid_for_secs) == ("94287082", 1)
    vault.lock()
    with pytest.raises(t.TesseraError.UnlockRequired):
        vault.code(token_id)


def test_threads_one_approval_wins(portal, phone):
    issued = portal.login("alice", NOW)
    frame = tt.test_mosaic_frame(issued.mosaic, t.PixelFormat.LUMA)
    with ThreadPoolExecutor(4) as pool:
        scans = list(pool.map(lambda _: phone.auth.scan_frame(frame), range(6)))
        challenges = [s.challenge for s in scans]

        def approve(c):
            try:
                return c.approve_with_passcode(PASSCODE)
            except t.TesseraError.AlreadyAnswered:
                return None

        answers = list(pool.map(approve, challenges))
    otps = [a for a in answers if a is not None]
    assert len(otps) == 1, answers
    portal.verify(issued.id, "alice", False, otps[0], NOW + 1)


def test_hostile_input_is_an_error():
    p = Phone()
    for payload in (b"", b"\x00", b"\xff" * (10 << 20), b"otpauth://totp/x?secret=\xff"):
        with pytest.raises(t.TesseraError.BadInput):
            p.auth.read(payload)
    bad_frames = [
        t.CameraFrame(width=2**32 - 1, height=2**32 - 1, format=t.PixelFormat.LUMA, planes=[t.FramePlane(data=b"\0" * 16, row_stride=4, pixel_stride=1)]),
        t.CameraFrame(width=10, height=10, format=t.PixelFormat.YUV420, planes=[t.FramePlane(data=b"\0" * 100, row_stride=2**32 - 1, pixel_stride=2**32 - 1)]),
        t.CameraFrame(width=10, height=10, format=t.PixelFormat.RGBA, planes=[]),
    ]
    for frame in bad_frames:
        with pytest.raises(t.TesseraError.BadInput):
            p.auth.scan_frame(frame)
    with pytest.raises(t.TesseraError.NotActivated):
        p.auth.unlock_with_passcode(PASSCODE)
    with pytest.raises(t.TesseraError.BadInput):
        p.auth.unlock_with_passcode(b"a" * (1 << 20))


def test_the_logger_sees_no_secret(portal, phone):
    issued = portal.login("alice", NOW)
    otp = challenge(phone, issued.mosaic).approve_with_passcode(PASSCODE)
    with pytest.raises(t.TesseraError.WrongPasscode):
        phone.auth.unlock_with_passcode(b"Canary-99")
    log = "\n".join(phone.logger.lines)
    assert "approve with passcode: ok" in log
    for secret in (
        PASSCODE.decode(),
        "Canary-99",
        otp,
        portal.activation_code("alice"),
        phone.confirmation,
        phone.confirmation.replace("-", ""),
    ):
        assert secret not in log
