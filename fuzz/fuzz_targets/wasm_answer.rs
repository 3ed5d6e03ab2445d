//! The WebAssembly guest's answer buffer (plugins/sdk/ABI.md), as the host decodes it: a
//! hostile guest controls every byte. The first byte is the batch size asked for, the rest
//! the guest's answer.
#![no_main]

use hecun::rules::decode_answer_buffer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, answer)) = data.split_first() else {
        return;
    };
    // A run asks for up to 256 candidates per call.
    let n = usize::from(n);
    if let Ok(answers) = decode_answer_buffer(answer, n) {
        assert_eq!(answers.len(), n, "one answer per candidate");
    }
});
