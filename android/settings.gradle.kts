// The Android side of Tessera: the library module `tessera` (the shell apps embed) and the
// sample app. Open this folder (android/) in Android Studio, or run ./gradlew from it.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "tessera-android"
include(":tessera", ":sample")
