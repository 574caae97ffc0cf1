// Fresh random nonces for sealing pages, drawn from the operating system's
// generator a block at a time: one system call per 168 nonces instead of one
// per page written, which on a small transaction is a tenth of the cost of
// encryption.
//
// The block lives in a memory page the kernel wipes in a forked child
// (MADV_WIPEONFORK), so a parent and its child never hand out the same
// nonces. Where the kernel cannot wipe on fork, every nonce is drawn from the
// OS generator directly.
#pragma once

#include <cstdint>

namespace forecourt::crypto {

// Writes kNonceBytes (24) fresh random bytes to `out`. Thread-safe.
void draw_nonce(std::uint8_t* out);

// Whether nonces come from a fork-safe block (false: one system call each).
bool nonce_pool_is_buffered();

}  // namespace forecourt::crypto
