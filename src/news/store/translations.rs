//! Translations: the hash that keys the cache of translated texts, the same in both backends.

/// FNV-1a 64 of `text`'s UTF-8 bytes, as SQLite's signed integer. Written out rather than
/// std's `DefaultHasher`, whose output may change between Rust releases: the cache outlives
/// the build that wrote it.
pub(super) fn text_hash(text: &str) -> i64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = text.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hash_is_fnv_1a_64() {
        // Test vectors from the FNV reference (draft-eastlake-fnv), as signed integers.
        for (text, hash) in [
            ("", 0xcbf2_9ce4_8422_2325_u64),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            assert_eq!(
                text_hash(text),
                i64::from_ne_bytes(hash.to_ne_bytes()),
                "{text:?}"
            );
        }
        assert_ne!(text_hash("hola"), text_hash("Hola"));
    }
}
