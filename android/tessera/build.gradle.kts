// The library apps embed: the generated bindings (lu.tessera.ffi), the shell (lu.tessera.android)
// and libtessera_ffi.so for each ABI. Both generated parts come from the Rust workspace at build
// time (never committed): generateTesseraBindings runs the workspace's uniffi-bindgen, and
// buildTesseraNative runs cargo-ndk.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val workspace = rootProject.layout.projectDirectory.dir("..")
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")

android {
    namespace = "lu.tessera.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 28
        // Keep rules for JNA and the generated bindings, applied by R8 in every app that uses this.
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets["main"].apply {
        kotlin.srcDir(generatedKotlin)
        jniLibs.srcDir(rustJniLibs)
    }
}

kotlin {
    jvmToolchain(17)
}

val generateTesseraBindings by tasks.registering(Exec::class) {
    group = "tessera"
    description = "Generates lu.tessera.ffi with the workspace's uniffi-bindgen (same uniffi pin as the library)."
    workingDir = workspace.asFile
    commandLine("bash", "android/scripts/generate-bindings.sh", "--out", generatedKotlin.get().asFile.absolutePath)
    inputs.dir(workspace.dir("bindings/src"))
    inputs.file(workspace.file("uniffi.toml"))
    inputs.file(workspace.file("Cargo.lock"))
    outputs.dir(generatedKotlin)
}

val buildTesseraNative by tasks.registering(Exec::class) {
    group = "tessera"
    description = "Builds libtessera_ffi.so for arm64-v8a, armeabi-v7a and x86_64 with cargo-ndk (release profile)."
    workingDir = workspace.asFile
    commandLine("bash", "android/scripts/build-native.sh", "--out", rustJniLibs.get().asFile.absolutePath)
    inputs.dir(workspace.dir("core/src"))
    inputs.dir(workspace.dir("bindings/src"))
    inputs.file(workspace.file("Cargo.lock"))
    outputs.dir(rustJniLibs)
}

tasks.named("preBuild") {
    dependsOn(generateTesseraBindings, buildTesseraNative)
}

dependencies {
    // JNA as an AAR: the Android build, with libjnidispatch.so for each ABI. `api`: the generated
    // bindings' public types extend JNA's.
    api("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    implementation(libs.androidx.core)
    implementation(libs.androidx.biometric)
    implementation(libs.androidx.fragment)
    implementation(libs.camera.core)
}
