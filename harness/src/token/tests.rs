//! The codec: round trips, repeats, and crafted numbers refused before they cost memory.

use super::*;

#[test]
fn base32_round_trips_every_length() {
    for n in 0..40u8 {
        let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
        assert_eq!(unbase32(&base32(&bytes)).unwrap(), bytes, "length {n}");
    }
}

#[test]
fn varints_round_trip() {
    for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
        let mut w = Vec::new();
        put(&mut w, v);
        assert_eq!(Reader { bytes: &w, at: 0 }.get().unwrap(), v);
    }
}

#[test]
fn long_runs_of_one_decision_are_repeats() {
    let keep = Decision::Preempt { task: None, of: 2 };
    let run = Decision::Run {
        task: TaskId::from_u64(3),
        of: 3,
    };
    let mut decisions = vec![keep; 500];
    decisions.push(run);
    decisions.extend(vec![keep; 3]);
    decisions.push(run);
    decisions.push(run);
    let mut t = Token::example();
    t.schedule = Schedule::from(decisions);
    let text = t.encode();
    assert!(text.len() < 70, "{} chars: {text}", text.len());
    assert_eq!(Token::parse(&text).unwrap(), t);
}

#[test]
fn one_flipped_character_fails_the_checksum() {
    let t = Token::example().encode();
    let mut chars: Vec<char> = t.chars().collect();
    chars[6] = if chars[6] == 'a' { 'b' } else { 'a' };
    let bad: String = chars.into_iter().collect();
    assert!(matches!(
        Token::parse(&bad),
        Err(TokenError::Checksum | TokenError::Truncated)
    ));
}

fn sealed(version: u64, payload: &[u8]) -> String {
    format!(
        "{PREFIX}{version}.{}.{}",
        base32(payload),
        checksum(payload)
    )
}

/// Seed, an empty strategy name, runs, preemptions and test hash: the start of a payload.
fn header() -> Vec<u8> {
    vec![1, 0, 0, 0, 0]
}

#[test]
fn crafted_counts_and_lengths_are_refused_before_anything_is_allocated() {
    // 2^33 decisions from one decision and one repeat: 196 GB if believed.
    let mut huge = header();
    put(&mut huge, 0); // no options
    put(&mut huge, 1 << 33);
    put(&mut huge, (1 << TAG_BITS) | RUN);
    put(&mut huge, 1);
    put(&mut huge, (((1u64 << 33) - 1) << TAG_BITS) | REPEAT);
    assert_eq!(
        Token::parse(&sealed(2, &huge)),
        Err(TokenError::Malformed(
            "more decisions than its bytes can hold"
        ))
    );
    // The same in the older format is refused as older, not misread.
    let mut old = header();
    old.extend([0, 0, 0]); // v1: max_steps, max_time, flags
    put(&mut old, 1 << 33);
    put(&mut old, (1 << TAG_BITS) | RUN);
    put(&mut old, 1);
    put(&mut old, (((1u64 << 33) - 1) << TAG_BITS) | REPEAT);
    let e = Token::parse(&sealed(1, &old)).unwrap_err();
    assert!(e.to_string().contains("made by an older seedloop"), "{e}");
    // A name longer than the token.
    let mut name = vec![1];
    put(&mut name, u64::MAX >> 1);
    assert_eq!(Token::parse(&sealed(2, &name)), Err(TokenError::Truncated));
    // An option list longer than the token.
    let mut opts = header();
    put(&mut opts, 1 << 40);
    assert_eq!(Token::parse(&sealed(2, &opts)), Err(TokenError::Truncated));
}

#[test]
fn long_runs_split_into_repeats_the_decoder_accepts() {
    let keep = Decision::Preempt { task: None, of: 2 };
    let mut t = Token::example();
    t.schedule = Schedule::from(vec![keep; 100_000]);
    let text = t.encode();
    let payload = unbase32(text.split('.').nth(1).unwrap()).unwrap();
    assert!(t.schedule.len() <= DECISIONS_PER_BYTE * payload.len());
    assert_eq!(Token::parse(&text).unwrap(), t);
}

#[test]
fn a_v1_token_decodes_its_limits_into_run_options() {
    let mut v1 = header();
    put(&mut v1, 5000); // max_steps
    put(&mut v1, 1_000_000_001); // max_time 1s, plus one
    put(&mut v1, 1); // fail_on_leftover_tasks
    put(&mut v1, 0); // no decisions
    let t = Token::parse(&sealed(1, &v1)).unwrap();
    assert_eq!(
        t.options,
        RunOptions::default()
            .max_steps(5000)
            .max_time(Duration::from_secs(1))
            .fail_on_leftover_tasks(true)
    );
}

#[test]
fn cancellations_round_trip_and_an_unknown_kind_names_a_newer_seedloop() {
    let mut t = Token::example();
    t.schedule = Schedule::from(vec![
        Decision::Cancel { cancelled: false },
        Decision::Cancel { cancelled: false },
        Decision::Cancel { cancelled: true },
    ]);
    assert_eq!(Token::parse(&t.encode()).unwrap(), t);
    // A decision tag this version does not know: what a newer seedloop might write.
    let mut w = Vec::new();
    put(&mut w, 7);
    put(&mut w, 0);
    put(&mut w, 0);
    put(&mut w, 0);
    put(&mut w, 0);
    put(&mut w, 0);
    put(&mut w, 1);
    put(&mut w, 6);
    put(&mut w, 2);
    let err = Token::parse(&sealed(2, &w)).unwrap_err();
    assert!(err.to_string().contains("a newer seedloop"), "{err}");
}
