// The encrypting VFS's WAL file. The 32-byte WAL header and the frame headers
// stay readable (SQLite needs them to find frames); the checksums in frame
// headers, which SQLite computes over plaintext, are masked; every frame's page
// is sealed with its page number, its commit size and the WAL's salts bound in.
#include <algorithm>
#include <array>
#include <cstring>

#include "cipher_file.hpp"

namespace forecourt::crypto::detail {
namespace {

struct FramePos {
    sqlite3_int64 frame = 0;   // 0-based frame index
    sqlite3_int64 start = 0;   // offset of the frame header
    int within = 0;            // offset of the access inside the frame
};

FramePos locate(sqlite3_int64 offset, int page_size) {
    const sqlite3_int64 frame_bytes = kFrameHeaderBytes + page_size;
    FramePos pos;
    pos.frame = (offset - kWalHeaderBytes) / frame_bytes;
    pos.start = kWalHeaderBytes + pos.frame * frame_bytes;
    pos.within = static_cast<int>(offset - pos.start);
    return pos;
}

int wal_page_size(FileState& file) {
    if (file.main->page_size != 0) return file.main->page_size;
    std::uint8_t header[kWalHeaderBytes];
    if (raw_read(file, header, sizeof header, 0) != SQLITE_OK) return 0;
    const std::uint32_t size = get_be32(header + 8);
    return size >= 512 && size <= 65536 && (size & (size - 1)) == 0 ? static_cast<int>(size) : 0;
}

void apply_mask(const FileState& file, std::uint8_t* header24, sqlite3_int64 start) {
    const auto mask = file.cipher->frame_checksum_mask({header24, 16}, start);
    for (int i = 0; i < 8; ++i) header24[16 + i] ^= mask[static_cast<std::size_t>(i)];
}

std::string frame_name(const FramePos& pos, const std::uint8_t* header) {
    return "WAL frame " + std::to_string(pos.frame + 1) + " (page " +
           std::to_string(get_be32(header)) + ")";
}

// What a frame's page is sealed with: its page number and commit size from
// the frame header, and the salts of the WAL generation from the WAL header.
// Not the frame header's own salts: once a transaction has overwritten one of
// its frames in place, SQLite writes further frame headers with zero salts and
// checksums and fills them in only at commit (walRewriteChecksums). A frame of
// an older generation meets other salts in the WAL header, so it still fails
// to open, as SQLite itself would refuse it.
using FrameBound = std::array<std::uint8_t, 16>;

bool read_wal_salts(FileState& file, std::uint8_t* salts8) {
    FileState& main = *file.main;
    if (!main.wal_salts_known) {
        if (raw_read(file, main.wal_salts.data(), 8, 16) != SQLITE_OK) return false;
        main.wal_salts_known = true;
    }
    std::memcpy(salts8, main.wal_salts.data(), 8);
    return true;
}

// The WAL's salts as the frame header being written carries them: SQLite
// writes its current salts into every frame header, except while a
// transaction rewrites its own frames in place (then zeros until commit, and
// false here: the WAL header is read instead). Saves a read of the WAL header
// in every write transaction.
bool salts_of_frame(const std::uint8_t* header16, std::uint8_t* salts8) {
    const std::uint8_t* salts = header16 + 8;
    if (std::all_of(salts, salts + 8, [](std::uint8_t b) { return b == 0; })) return false;
    std::memcpy(salts8, salts, 8);
    return true;
}

// A whole WAL header written: the salts it holds from now on.
void note_header_write(FileState& file, const std::uint8_t* in, int amount, sqlite3_int64 offset) {
    FileState& main = *file.main;
    if (offset <= 16 && offset + amount >= 24) {
        std::memcpy(main.wal_salts.data(), in + (16 - offset), 8);
        main.wal_salts_known = true;
    }
}

FrameBound frame_bound(const std::uint8_t* header, const std::uint8_t* salts8) {
    FrameBound bound{};
    std::memcpy(bound.data(), header, 8);
    std::memcpy(bound.data() + 8, salts8, 8);
    return bound;
}

// Opens the page of a frame read whole (header + page) into `frame`.
bool open_frame(const FileState& file, std::uint8_t* frame, int page_size, const std::uint8_t* salts8) {
    std::span<std::uint8_t> page(frame + kFrameHeaderBytes, static_cast<std::size_t>(page_size));
    const FrameBound bound = frame_bound(frame, salts8);
    const PagePlace place{PageHome::wal, get_be32(frame), bound};
    return file.cipher->open(page, 0, place);
}

// A frame that fails to open during recovery is either the torn tail of a
// commit cut by a crash (SQLite drops it, as it would for a bad checksum) or
// tampering. With synchronous=FULL each commit is synced before the next one
// starts, so a failed frame followed by two intact commits of the same WAL
// generation was on disk intact before: it has been changed since.
bool later_commits_prove_tampering(FileState& file, const FramePos& failed, int page_size) {
    std::uint8_t wal_header[kWalHeaderBytes];
    if (raw_read(file, wal_header, sizeof wal_header, 0) != SQLITE_OK) return false;
    const std::uint8_t* salts = wal_header + 16;
    std::vector<std::uint8_t> frame(static_cast<std::size_t>(kFrameHeaderBytes + page_size));
    if (raw_read(file, frame.data(), kFrameHeaderBytes, failed.start) != SQLITE_OK ||
        std::memcmp(frame.data() + 8, salts, 8) != 0)
        return false;  // a frame left over from an earlier generation
    const sqlite3_int64 size = raw_size(file);
    int commits = 0;
    for (sqlite3_int64 at = failed.start + static_cast<sqlite3_int64>(frame.size());
         at + static_cast<sqlite3_int64>(frame.size()) <= size; at += static_cast<sqlite3_int64>(frame.size())) {
        if (raw_read(file, frame.data(), static_cast<int>(frame.size()), at) != SQLITE_OK) break;
        if (std::memcmp(frame.data() + 8, salts, 8) != 0) break;
        if (open_frame(file, frame.data(), page_size, salts) && get_be32(frame.data() + 4) != 0 && ++commits >= 2)
            return true;
    }
    return false;
}

int read_whole_frame(FileState& file, std::uint8_t* out, const FramePos& pos, int page_size) {
    const int rc = raw_read(file, out, kFrameHeaderBytes + page_size, pos.start);
    if (rc != SQLITE_OK) return rc;
    std::uint8_t salts[8];
    if (!read_wal_salts(file, salts)) return SQLITE_IOERR_READ;
    if (open_frame(file, out, page_size, salts)) {
        apply_mask(file, out, pos.start);
        if (get_be32(out) == 1) learn_geometry(file, out + kFrameHeaderBytes, page_size);
        return SQLITE_OK;
    }
    if (later_commits_prove_tampering(file, pos, page_size)) {
        record_failure(file, ErrorCode::tampered,
                       frame_name(pos, out) + " failed authentication although later "
                       "commits are intact: the WAL was changed outside Forecourt (tampered)");
        return SQLITE_IOERR_DATA;
    }
    // Make SQLite see a bad checksum, so it ends the log here as after a crash.
    for (int i = 16; i < kFrameHeaderBytes; ++i) out[i] = static_cast<std::uint8_t>(~out[i]);
    std::memset(out + kFrameHeaderBytes, 0, static_cast<std::size_t>(page_size));
    return SQLITE_OK;
}

int read_frame_page(FileState& file, std::uint8_t* out, const FramePos& pos, int page_size) {
    file.scratch.resize(static_cast<std::size_t>(kFrameHeaderBytes + page_size));
    std::uint8_t* frame = file.scratch.data();
    const int rc = raw_read(file, frame, kFrameHeaderBytes + page_size, pos.start);
    if (rc != SQLITE_OK) return rc;
    std::uint8_t salts[8];
    if (!read_wal_salts(file, salts)) return SQLITE_IOERR_READ;
    if (!open_frame(file, frame, page_size, salts)) {
        record_failure(file, ErrorCode::tampered,
                       frame_name(pos, frame) + " failed authentication: the WAL was changed "
                       "outside Forecourt or damaged (tampered)");
        return SQLITE_IOERR_DATA;
    }
    if (get_be32(frame) == 1) learn_geometry(file, frame + kFrameHeaderBytes, page_size);
    std::memcpy(out, frame + kFrameHeaderBytes, static_cast<std::size_t>(page_size));
    return SQLITE_OK;
}

// The most a batch holds: SQLite's unix VFS writes at most 128 KiB less one
// byte in one call (it masks a larger amount), and a recorded contact commits
// four or five frames of 4 KiB.
constexpr std::size_t kBatchBytes = 0x1ffff;

int write_batch(FileState& file) {
    if (file.batch.empty()) return SQLITE_OK;
    const int rc = raw_write(file, file.batch.data(), static_cast<int>(file.batch.size()),
                             file.batch_offset);
    file.batch.clear();  // written or failed: SQLite hears of a failure from this call
    ++file.main->wal_writes;
    return rc;
}

sqlite3_int64 batch_end(const FileState& file) {
    return file.batch_offset + static_cast<sqlite3_int64>(file.batch.size());
}

// A frame header is held back until its page comes, so that the two go down
// together. What is held already goes down first unless the frame follows it.
int hold_frame_header(FileState& file, const std::uint8_t* in, const FramePos& pos) {
    if (file.header_pending || (!file.batch.empty() && batch_end(file) != pos.start)) {
        if (const int rc = wal_flush(file); rc != SQLITE_OK) return rc;
    }
    std::memcpy(file.pending_header.data(), in, kFrameHeaderBytes);
    apply_mask(file, file.pending_header.data(), pos.start);
    file.frame_offset = pos.start;
    std::memcpy(file.frame_header.data(), in, 16);
    file.header_pending = true;
    return SQLITE_OK;
}

// Appends the held-back header and the page sealed after it to the batch
// (writing the batch first if the frame would not fit); a commit frame ends
// the batch.
int append_frame(FileState& file, std::span<const std::uint8_t> plain, const PagePlace& place,
                 const FramePos& pos) {
    const std::size_t frame_bytes = kFrameHeaderBytes + plain.size();
    if (file.batch.size() + frame_bytes > kBatchBytes) {
        if (const int rc = write_batch(file); rc != SQLITE_OK) return rc;
    }
    if (file.batch.empty()) {
        file.batch.reserve(kBatchBytes);
        file.batch_offset = pos.start;
    }
    const std::size_t at = file.batch.size();
    file.batch.resize(at + frame_bytes);
    std::memcpy(file.batch.data() + at, file.pending_header.data(), kFrameHeaderBytes);
    file.cipher->seal(plain, {file.batch.data() + at + kFrameHeaderBytes, plain.size()}, 0, place);
    file.header_pending = false;
    const bool commit = get_be32(file.frame_header.data() + 4) != 0;
    return commit ? write_batch(file) : SQLITE_OK;
}

// A frame's page, sealed with its place. After its held-back header it joins
// the batch, which goes down at the transaction's commit frame (before SQLite
// syncs the WAL and publishes the commit to other connections) or when full.
// A page written over an earlier frame goes down at once, after the batch.
int write_frame_page(FileState& file, const std::uint8_t* in, int amount, sqlite3_int64 offset,
                     const FramePos& pos, int page_size) {
    const bool with_header = file.header_pending && file.frame_offset == pos.start;
    if (!with_header) {
        if (const int rc = wal_flush(file); rc != SQLITE_OK) return rc;
        if (file.frame_offset != pos.start) {
            if (raw_read(file, file.frame_header.data(), 16, pos.start) != SQLITE_OK) return SQLITE_IOERR_WRITE;
            file.frame_offset = pos.start;
        }
    }
    const std::uint32_t pgno = get_be32(file.frame_header.data());
    if (pgno == 1 ? !learn_geometry(file, in, page_size) : !geometry_for_write(file, page_size))
        return SQLITE_IOERR_WRITE;
    std::uint8_t salts[8];
    if (!salts_of_frame(file.frame_header.data(), salts) && !read_wal_salts(file, salts))
        return SQLITE_IOERR_WRITE;
    const FrameBound bound = frame_bound(file.frame_header.data(), salts);  // the place refers to it
    const PagePlace place{PageHome::wal, pgno, bound};
    const std::span<const std::uint8_t> plain(in, static_cast<std::size_t>(amount));
    ++file.main->wal_frames;
    if (!with_header) {
        file.scratch.resize(static_cast<std::size_t>(amount));
        file.cipher->seal(plain, file.scratch, 0, place);
        ++file.main->wal_writes;
        return raw_write(file, file.scratch.data(), amount, offset);
    }
    return append_frame(file, plain, place, pos);
}

}  // namespace

int wal_flush(FileState& file) {
    // The batch first: a held-back header may belong to a frame inside it.
    int rc = write_batch(file);
    if (file.header_pending) {
        file.header_pending = false;
        const int header_rc = raw_write(file, file.pending_header.data(), kFrameHeaderBytes, file.frame_offset);
        if (rc == SQLITE_OK) rc = header_rc;
    }
    return rc;
}

int wal_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset) {
    if (const int rc = wal_flush(file); rc != SQLITE_OK) return rc;
    auto* out = static_cast<std::uint8_t*>(buffer);
    if (offset + amount <= kWalHeaderBytes) return raw_read(file, buffer, amount, offset);
    const int page_size = wal_page_size(file);
    if (page_size == 0 || offset < kWalHeaderBytes) return raw_read(file, buffer, amount, offset);
    const FramePos pos = locate(offset, page_size);
    if (pos.within + amount <= kFrameHeaderBytes) {
        // A frame header, or part of one: walRewriteChecksums reads the 8-byte
        // checksum of the frame before the first rewritten one.
        std::uint8_t header[kFrameHeaderBytes];
        const int rc = raw_read(file, header, kFrameHeaderBytes, pos.start);
        if (rc != SQLITE_OK) {
            std::memset(out, 0, static_cast<std::size_t>(amount));  // a short read is zero-filled
            return rc;
        }
        apply_mask(file, header, pos.start);
        std::memcpy(out, header + pos.within, static_cast<std::size_t>(amount));
        return SQLITE_OK;
    }
    if (pos.within == 0 && amount == kFrameHeaderBytes + page_size)
        return read_whole_frame(file, out, pos, page_size);
    if (pos.within == kFrameHeaderBytes && amount == page_size)
        return read_frame_page(file, out, pos, page_size);
    record_failure(file, ErrorCode::internal,
                   "unexpected read of " + std::to_string(amount) + " bytes at offset " +
                       std::to_string(offset));
    return SQLITE_IOERR_READ;
}

int wal_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset) {
    const auto* in = static_cast<const std::uint8_t*>(buffer);
    const int page_size = wal_page_size(file);
    const FramePos pos = page_size ? locate(offset, page_size) : FramePos{};
    const bool in_frames = page_size != 0 && offset >= kWalHeaderBytes;
    if (in_frames && pos.within == 0 && amount == kFrameHeaderBytes) return hold_frame_header(file, in, pos);
    if (in_frames && pos.within == kFrameHeaderBytes && amount == page_size)
        return write_frame_page(file, in, amount, offset, pos, page_size);
    if (const int rc = wal_flush(file); rc != SQLITE_OK) return rc;
    if (offset + amount <= kWalHeaderBytes) {
        file.main->wal_salts_known = false;
        const int rc = raw_write(file, buffer, amount, offset);
        if (rc == SQLITE_OK) note_header_write(file, in, amount, offset);
        return rc;
    }
    record_failure(file, ErrorCode::internal,
                   "refused to write " + std::to_string(amount) + " bytes at offset " +
                       std::to_string(offset) + " of the WAL: not a frame header or a whole "
                       "page, and nothing is ever written in the clear");
    return SQLITE_IOERR_WRITE;
}

}  // namespace forecourt::crypto::detail
