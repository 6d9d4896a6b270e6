#!/usr/bin/env python3
"""Checks the mobile shells' resources without the SDKs (scripts/shells runs it).

1. Every XML file under android/ (manifests, res/) is well-formed, and so is every
   .plist under ios/.
2. The Android sample's strings: values/ (French, the default), values-en/ and
   values-de/ have the same keys, the same placeholders per key (%1$d, %1$s), no
   empty string and no unescaped apostrophe (aapt refuses them).
3. The iOS sample's Localizable.strings in fr/en/de.lproj: parsed, same keys and
   placeholders (%1$@ for text), and the same keys and placeholders as Android.
4. The backup rules the manifest names exist and exclude Tessera's directory.
5. The version catalog parses and every `libs.*` reference in the build files
   is declared in it.
6. The platform checklist (C12-C14 and the camera/storage rules), on the code
   with comments removed: biometric keys bound to strong biometrics with no
   device-credential or passcode fallback, invalidated on enrolment, used
   through a CryptoObject / the Secure Enclave; late frames dropped; storage
   this-device-only; the XCFramework's map named module.modulemap.
7. With --r-class FILE: writes a stub R class (R.string.<key>) for the sample, so
   kotlinc checks that every string the Kotlin code uses exists.

Usage: shell_resources.py [--r-class FILE]    (run from the repository root)
Prints "resources: N passed, N failed"; exit 1 when a check fails.
"""

import glob
import os
import re
import sys
import tomllib
import xml.etree.ElementTree as ET

RES = "android/sample/src/main/res"
LOCALES = {"fr": "values", "en": "values-en", "de": "values-de"}
IOS = "ios/SampleApp/Resources"
PLACEHOLDER = re.compile(r"%(\d+)\$([sd@])")

passed = 0
failed = 0


def check(name, problems):
    global passed, failed
    if problems:
        failed += 1
        for p in problems[:30]:
            print(f"FAIL {name}: {p}")
    else:
        passed += 1
        print(f"ok   {name}")


def placeholders(text):
    # Android %1$s and iOS %1$@ are the same thing: a text argument.
    return sorted((n, "s" if t in "s@" else t) for n, t in PLACEHOLDER.findall(text))


def android_strings(folder):
    root = ET.parse(os.path.join(RES, folder, "strings.xml")).getroot()
    out = {}
    problems = []
    for e in root.iter("string"):
        name = e.get("name")
        raw = "".join(e.itertext())
        if name in out:
            problems.append(f"{folder}: {name} twice")
        if not raw.strip():
            problems.append(f"{folder}: {name} is empty")
        if re.search(r"(?<!\\)'", raw) or re.search(r'(?<!\\)"', raw):
            problems.append(f"{folder}: {name} has an unescaped quote or apostrophe")
        out[name] = raw.replace("\\'", "'").replace('\\"', '"')
    return out, problems


STRINGS_ENTRY = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*=\s*"((?:[^"\\]|\\.)*)"\s*;')
STRINGS_COMMENT = re.compile(r"\s*(/\*.*?\*/|//[^\n]*)", re.S)


def ios_strings(path):
    """A .strings file (the old-style plist dialect Xcode compiles), strictly."""
    text = open(path, encoding="utf-8").read()
    pos, out, problems = 0, {}, []
    while pos < len(text):
        m = STRINGS_COMMENT.match(text, pos)
        if m:
            pos = m.end()
            continue
        if not text[pos:].strip():
            break
        m = STRINGS_ENTRY.match(text, pos)
        if not m:
            line = text.count("\n", 0, pos) + 1
            problems.append(f"{path}:{line}: not a \"key\" = \"value\"; entry")
            break
        key, value = m.group(1), m.group(2)
        if key in out:
            problems.append(f"{path}: {key} twice")
        if not value.strip():
            problems.append(f"{path}: {key} is empty")
        out[key] = value.replace('\\"', '"')
        pos = m.end()
    return out, problems


def same_keys(name, tables):
    problems = []
    (ref_name, ref), *others = tables.items()
    for other_name, other in others:
        for k in sorted(ref.keys() - other.keys()):
            problems.append(f"{k} is in {ref_name} but not in {other_name}")
        for k in sorted(other.keys() - ref.keys()):
            problems.append(f"{k} is in {other_name} but not in {ref_name}")
        for k in sorted(ref.keys() & other.keys()):
            if placeholders(ref[k]) != placeholders(other[k]):
                problems.append(f"{k}: placeholders {placeholders(ref[k])} in {ref_name}, {placeholders(other[k])} in {other_name}")
    check(name, problems)


def main(argv):
    r_class = None
    if argv[:1] == ["--r-class"]:
        r_class = argv[1]

    # 1. Well-formed XML and plists.
    problems = []
    files = sorted(glob.glob("android/**/*.xml", recursive=True) + glob.glob("ios/**/*.plist", recursive=True))
    files = [f for f in files if "/build/" not in f]
    for path in files:
        try:
            ET.parse(path)
        except ET.ParseError as e:
            problems.append(f"{path}: {e}")
    check(f"{len(files)} XML files and plists are well-formed", problems)

    # 2. Android locales.
    android = {}
    problems = []
    for lang, folder in LOCALES.items():
        table, p = android_strings(folder)
        android[lang] = table
        problems += p
    check("Android strings: no duplicate, empty or unescaped entry", problems)
    same_keys("Android strings: values, values-en, values-de have the same keys and placeholders", android)

    # 3. iOS locales, and iOS against Android.
    ios = {}
    problems = []
    for lang in LOCALES:
        table, p = ios_strings(os.path.join(IOS, f"{lang}.lproj", "Localizable.strings"))
        ios[lang] = table
        problems += p
    check("iOS Localizable.strings: fr, en, de parse", problems)
    same_keys("iOS strings: fr, en, de have the same keys and placeholders", ios)
    same_keys("Android and iOS have the same keys and placeholders", {"Android (fr)": android["fr"], "iOS (fr)": ios["fr"]})
    plist = {}
    problems = []
    for lang in LOCALES:
        table, p = ios_strings(os.path.join(IOS, f"{lang}.lproj", "InfoPlist.strings"))
        plist[lang] = table
        problems += p
    check("iOS InfoPlist.strings: fr, en, de parse", problems)
    same_keys("iOS InfoPlist.strings: the same keys in fr, en, de", plist)

    # Every key the code names exists: the Kotlin and Swift message enums (the same keys in
    # both), and the Swift sample's L("key") calls (Kotlin's R.string.* are checked by kotlinc).
    problems = []
    kotlin_msgs = set(re.findall(r'^\s+[A-Z_]+\("([a-z_]+)"', open("android/sample/src/main/kotlin/lu/tessera/sample/flow/Messages.kt").read(), re.M))
    swift_msgs = set(re.findall(r'^\s+case \w+ = "([a-z_]+)"', open("ios/SampleApp/Sources/Messages.swift").read(), re.M))
    if not kotlin_msgs or kotlin_msgs != swift_msgs:
        problems.append(f"Kotlin Msg and Swift Msg differ: {sorted(kotlin_msgs ^ swift_msgs)}")
    for key in sorted(kotlin_msgs - android["fr"].keys()):
        problems.append(f"Kotlin Msg {key} is not in strings.xml")
    for key in sorted(swift_msgs - ios["fr"].keys()):
        problems.append(f"Swift Msg {key} is not in Localizable.strings")
    used = set()
    for path in glob.glob("ios/SampleApp/Sources/*.swift"):
        text = open(path).read()
        used |= set(re.findall(r'\bL\("([a-z_]+)"', text))
        for pair in re.findall(r'\? "([a-z_]+)" : "([a-z_]+)"', text):
            used |= set(pair)
    for key in sorted(used - ios["fr"].keys()):
        problems.append(f"the Swift sample uses {key}, which is not in Localizable.strings")
    if len(used) < 20:
        problems.append(f"only {len(used)} keys found in the Swift sample: the pattern is broken")
    check(f"the {len(kotlin_msgs)} message keys and the {len(used)} keys the Swift sample uses exist", problems)

    # 4. Backup rules.
    problems = []
    manifest = ET.parse("android/sample/src/main/AndroidManifest.xml").getroot()
    app = manifest.find("application")
    ns = "{http://schemas.android.com/apk/res/android}"
    for attr, tag in (("dataExtractionRules", "data-extraction-rules"), ("fullBackupContent", "full-backup-content")):
        ref = app.get(ns + attr) if app is not None else None
        if not ref or not ref.startswith("@xml/"):
            problems.append(f"the manifest does not set android:{attr}")
            continue
        path = os.path.join(RES, "xml", ref[5:] + ".xml")
        if not os.path.exists(path):
            problems.append(f"{path} is missing")
            continue
        root = ET.parse(path).getroot()
        if root.tag != tag:
            problems.append(f"{path}: root is <{root.tag}>, expected <{tag}>")
        sections = [root] if tag == "full-backup-content" else [root.find("cloud-backup"), root.find("device-transfer")]
        for section in sections:
            if section is None:
                problems.append(f"{path}: a cloud-backup or device-transfer section is missing")
                continue
            if not any(e.get("domain") == "file" and e.get("path", "").rstrip("/") == "tessera" for e in section.iter("exclude")):
                problems.append(f"{path}: <{section.tag}> does not exclude file tessera/")
    check("backup and device-transfer rules exclude Tessera's files", problems)

    # 5. Version catalog.
    problems = []
    with open("android/gradle/libs.versions.toml", "rb") as f:
        catalog = tomllib.load(f)
    aliases = {"libraries": set(), "plugins": set(), "versions": set()}
    for section in aliases:
        for key in catalog.get(section, {}):
            aliases[section].add(key.replace("-", ".").replace("_", "."))
    for lib in catalog.get("libraries", {}).values():
        ref = lib.get("version", {}).get("ref") if isinstance(lib, dict) and isinstance(lib.get("version"), dict) else None
        if ref and ref not in catalog.get("versions", {}):
            problems.append(f"version.ref {ref} is not in [versions]")
    for path in glob.glob("android/**/*.gradle.kts", recursive=True):
        text = re.sub(r"//[^\n]*", "", open(path).read())
        for m in re.finditer(r"\blibs\.((?:plugins|versions)\.)?([a-zA-Z0-9.]+?)(?:\.get\(\))?(?=[)\s,}])", text):
            section = {"plugins.": "plugins", "versions.": "versions"}.get(m.group(1) or "", "libraries")
            if m.group(2) not in aliases[section]:
                problems.append(f"{path}: libs.{m.group(1) or ''}{m.group(2)} is not in the catalog")
    check("Gradle version catalog parses; every libs.* reference is declared", problems)

    # 6. The platform checklist.
    def code(paths):
        text = ""
        for path in paths:
            src = open(path, encoding="utf-8").read()
            src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
            text += re.sub(r"//[^\n]*", "", src) + "\n"
        return text

    android_code = code(glob.glob("android/tessera/src/main/**/*.kt", recursive=True) + glob.glob("android/sample/src/main/**/*.kt", recursive=True))
    ios_code = code(glob.glob("ios/Sources/Tessera/*.swift") + glob.glob("ios/SampleApp/Sources/*.swift"))
    gate_kt = code(["android/tessera/src/main/kotlin/lu/tessera/android/AndroidBiometricGate.kt"])
    gate_swift = code(["ios/Sources/Tessera/SecureEnclaveBiometricGate.swift"])
    rules = [
        ("Android: no DEVICE_CREDENTIAL anywhere (C14)", "DEVICE_CREDENTIAL" not in android_code),
        ("Android: the prompt allows BIOMETRIC_STRONG only (C14)", re.search(r"setAllowedAuthenticators\(BIOMETRIC_STRONG\)", gate_kt) and len(re.findall(r"setAllowedAuthenticators\(", android_code)) == 1),
        ("Android: the key needs user authentication, strong biometrics, per use (C12, C14)", "setUserAuthenticationRequired(true)" in gate_kt and "setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG)" in gate_kt and "AUTH_DEVICE_CREDENTIAL" not in android_code),
        ("Android: the key is invalidated by a new enrolment (C13)", "setInvalidatedByBiometricEnrollment(true)" in gate_kt),
        ("Android: the prompt authenticates a CryptoObject (C12)", re.search(r"authenticate\(info, BiometricPrompt\.CryptoObject\(cipher\)\)", gate_kt) and not re.search(r"authenticate\(info\)", android_code)),
        ("Android: KeyPermanentlyInvalidatedException becomes KeyInvalidated (C13)", len(re.findall(r"catch \(e: KeyPermanentlyInvalidatedException\) \{\s*throw PlatformException\.KeyInvalidated\(\)", gate_kt)) == 2),
        ("Android: the analyzer keeps only the latest frame", "STRATEGY_KEEP_ONLY_LATEST" in android_code and "STRATEGY_BLOCK_PRODUCER" not in android_code),
        ("iOS: biometrics only, no passcode fallback (C14)", ".deviceOwnerAuthenticationWithBiometrics" in gate_swift and not re.search(r"\.deviceOwnerAuthentication\b(?!WithBiometrics)", ios_code) and ".userPresence" not in ios_code and ".devicePasscode" not in ios_code and 'localizedFallbackTitle = ""' in gate_swift),
        ("iOS: the key is .biometryCurrentSet in the Secure Enclave (C12, C13)", "[.privateKeyUsage, .biometryCurrentSet]" in gate_swift and "kSecAttrTokenIDSecureEnclave" in gate_swift and ".biometryAny" not in ios_code),
        ("iOS: ECIES X963SHA256 AES-GCM for the slot key and the vault", ios_code.count("eciesEncryptionCofactorX963SHA256AESGCM") >= 2),
        ("iOS: late frames are dropped", "alwaysDiscardsLateVideoFrames = true" in ios_code),
        ("iOS: storage and keys are this-device-only, passcode set", "kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly" in ios_code and not re.search(r"kSecAttrAccessible(Always|AfterFirstUnlock\b|WhenUnlocked\b)", ios_code)),
        ("iOS: the XCFramework's module map is named module.modulemap", "/module.modulemap" in open("ios/scripts/build-xcframework.sh").read()),
    ]
    check("platform checklist: " + str(len(rules)) + " rules", [name for name, ok in rules if not ok])

    # 7. The stub R class.
    if r_class:
        os.makedirs(os.path.dirname(r_class), exist_ok=True)
        with open(r_class, "w") as f:
            f.write("// Generated by tests/tools/shell_resources.py from res/values/strings.xml:\n")
            f.write("// stands in for AGP's R class when scripts/shells type-checks the sample.\n")
            f.write("package lu.tessera.sample\n\nobject R {\n    object string {\n")
            for i, key in enumerate(sorted(android["fr"])):
                f.write(f"        const val {key} = {0x7f0e0000 + i}\n")
            f.write("    }\n}\n")

    print(f"resources: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
