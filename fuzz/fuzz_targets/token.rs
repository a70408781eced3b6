//! Replay tokens from arbitrary bytes: as text, and as a payload sealed with a valid checksum
//! (so that the fuzzer reaches the decoder rather than the checksum). Every input is refused
//! with a reason or decodes to a token its bytes account for, which re-encodes to itself.

#![no_main]
#![forbid(unsafe_code)]

use harness::{DECISIONS_PER_BYTE, Token};
use libfuzzer_sys::fuzz_target;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `sl<version>.<base32 payload>.<checksum>`, as the token format defines them.
fn seal(version: u8, payload: &[u8]) -> String {
    let mut text = format!("sl{version}.");
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in payload {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            text.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        text.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in payload {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    text.push('.');
    text.extend((0..8).map(|i| ALPHABET[((h >> (5 * i)) & 31) as usize] as char));
    text
}

fn check(text: &str, payload_len: usize) {
    let Ok(token) = Token::parse(text) else {
        return;
    };
    assert!(token.schedule.len() <= DECISIONS_PER_BYTE * payload_len.max(1));
    assert!(token.strategy.len() <= payload_len);
    assert_eq!(Token::parse(&token.encode()), Ok(token));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check(text, text.len());
    }
    if let Some((&version, payload)) = data.split_first() {
        check(&seal(1 + version % 2, payload), payload.len());
    }
});
