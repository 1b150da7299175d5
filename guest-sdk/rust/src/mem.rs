//! The module's allocator exports, `pando_alloc` and `pando_free`.
//!
//! They are defined here, in the SDK, and exported from every cdylib that links it: a plugin
//! does not declare them. Buffers use the Rust global allocator (dlmalloc on `wasm32`) with the
//! layout of a `Box<[u8]>` of the same length, so a buffer from `pando_alloc` can be taken over
//! as a `Box<[u8]>` and a result `Box<[u8]>` can be released by `pando_free`.

use std::alloc::{alloc, dealloc, Layout};
use std::ptr::{null_mut, NonNull};

/// `pando_alloc(len) -> ptr`: a buffer of `len` bytes for the host to write; `0` when out of
/// memory. A zero-length request gets a non-null dangling pointer, which must not be written.
#[no_mangle]
pub extern "C" fn pando_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return NonNull::<u8>::dangling().as_ptr();
    }
    match Layout::array::<u8>(len) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => null_mut(),
    }
}

/// `pando_free(ptr, len)`: releases a buffer from [`pando_alloc`] or a result the SDK returned.
///
/// # Safety
///
/// `ptr` and `len` must describe exactly one such buffer, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn pando_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    if let Ok(layout) = Layout::array::<u8>(len) {
        dealloc(ptr, layout);
    }
}

/// Takes ownership of a buffer the host filled (the args of an op, an event).
///
/// # Safety
///
/// `ptr` and `len` must come from one call of [`pando_alloc`], not yet freed or taken.
pub(crate) unsafe fn take(ptr: *mut u8, len: usize) -> Box<[u8]> {
    if len == 0 || ptr.is_null() {
        return Box::new([]);
    }
    // The allocation has exactly the layout of a Box<[u8]> of `len` bytes.
    Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len))
}

/// Hands `bytes` over to the host, which releases them with `pando_free(ptr, len)`.
pub(crate) fn give(bytes: Vec<u8>) -> (*mut u8, usize) {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    (Box::into_raw(boxed) as *mut u8, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_take_give_free() {
        let p = pando_alloc(5);
        assert!(!p.is_null());
        // The host writes the buffer, the guest takes it over and drops it.
        unsafe { std::ptr::copy_nonoverlapping(b"hello".as_ptr(), p, 5) };
        let taken = unsafe { take(p, 5) };
        assert_eq!(&*taken, b"hello");
        drop(taken);

        let (ptr, len) = give(b"{\"a\":1}".to_vec());
        assert_eq!(len, 7);
        assert_eq!(
            unsafe { std::slice::from_raw_parts(ptr, len) },
            b"{\"a\":1}"
        );
        unsafe { pando_free(ptr, len) };

        let empty = pando_alloc(0);
        assert!(!empty.is_null());
        assert!(unsafe { take(empty, 0) }.is_empty());
        unsafe { pando_free(empty, 0) };
        let q = pando_alloc(100);
        unsafe { pando_free(q, 100) };
        assert!(pando_alloc(usize::MAX).is_null());
    }
}
