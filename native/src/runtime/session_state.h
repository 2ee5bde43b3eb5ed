// A session's state as bytes: its KV cells (positions and sequence sets), the K/V rows of the
// occupied cells and the logits of its last evaluation, so a restored session continues with
// exactly the logits the original would give. The header names the model (its file's SHA-256)
// and the cache's shape; a state of another model or shape, a truncated or corrupted one is
// refused naming the difference, and the session is left as it was.
//
// Layout (little-endian): "LMSTATE\0", u32 version, 64 hex digits of the model's SHA-256,
// u32 n_layer, u32 kv type, u64 K row bytes, u64 V row bytes (0: values inside keys),
// u32 n_seq_max, u32 used cells, u32 extent, per used cell {i32 cell, i32 pos, u64 sequences},
// per layer the used cells' K rows then V rows, u32 logit rows, u32 n_vocab, the logits,
// u64 FNV-1a of everything before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lamina {

class Session;

constexpr uint32_t kSessionStateVersion = 1;

std::vector<uint8_t> save_session_state(const Session &session);
// The bytes save_session_state would return, without making them.
size_t session_state_size(const Session &session);
// Throws LaminaError(LM_ERR_BAD_FORMAT / LM_ERR_INVALID_ARGUMENT) naming the problem; `source`
// names where the bytes came from in messages.
void load_session_state(Session &session, const uint8_t *data, size_t size, const std::string &source);

// The same through a file: written to a temporary beside it and renamed over it, so a failed
// save leaves the old file whole.
void save_session_state_file(const Session &session, const std::string &path);
void load_session_state_file(Session &session, const std::string &path);

}  // namespace lamina
