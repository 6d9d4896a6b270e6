//! The one way the workspace takes a mutex.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, taking the state even if a thread panicked while holding it.
///
/// Every holder of a Tessera mutex changes the guarded state only after the
/// fallible step (a storage write, a database transaction) succeeded, so
/// the state behind a poisoned lock is consistent; refusing it would turn
/// one caught panic into a permanently unusable object at the FFI.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
