// Helpers shared by the encrypting VFS's file handlers: raw I/O on the
// underlying file, failure records and the database's page geometry.
#include <cstring>

#include "cipher_file.hpp"

namespace forecourt::crypto::detail {

void record_failure(FileState& file, ErrorCode code, std::string message) {
    FileState& main = file.main ? *file.main : file;
    main.failed = true;
    main.failure_code = code;
    main.failure = file.name + ": " + std::move(message);
}

int raw_read(FileState& file, void* buffer, int amount, sqlite3_int64 offset) {
    return file.real->pMethods->xRead(file.real, buffer, amount, offset);
}

int raw_write(FileState& file, const void* buffer, int amount, sqlite3_int64 offset) {
    return file.real->pMethods->xWrite(file.real, buffer, amount, offset);
}

sqlite3_int64 raw_size(FileState& file) {
    sqlite3_int64 size = 0;
    if (file.real->pMethods->xFileSize(file.real, &size) != SQLITE_OK) return -1;
    return size;
}

std::uint32_t get_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void put_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

int page_size_from_header(const std::uint8_t* header16_to_24) {
    const int raw = (header16_to_24[0] << 8) | header16_to_24[1];
    const int size = raw == 1 ? 65536 : raw;
    if (size < 512 || size > 65536 || (size & (size - 1)) != 0) return 0;
    return size;
}

bool learn_geometry(FileState& file, const std::uint8_t* page1, int page_size) {
    FileState& main = *file.main;
    const int reserve = page1[20];
    if (page_size_from_header(page1 + 16) != page_size) {
        record_failure(file, ErrorCode::corrupt, "page 1 does not describe its own page size");
        return false;
    }
    if (reserve < kPageReserve) {
        record_failure(file, ErrorCode::invalid_state,
                       "the book reserves " + std::to_string(reserve) + " bytes per page; an "
                       "encrypted book needs " + std::to_string(kPageReserve) +
                       " (was it created without encryption?)");
        return false;
    }
    main.page_size = page_size;
    main.reserve = reserve;
    return true;
}

bool geometry_for_write(FileState& file, int page_size) {
    FileState& main = *file.main;
    if (main.page_size == 0) {
        std::uint8_t header[24];
        if (raw_read(main, header, sizeof header, 0) == SQLITE_OK) {
            const int size = page_size_from_header(header + 16);
            if (size != 0 && header[20] >= kPageReserve) {
                main.page_size = size;
                main.reserve = header[20];
            }
        }
    }
    if (main.page_size != page_size || main.reserve < kPageReserve) {
        record_failure(file, ErrorCode::internal,
                       "refused to write a page whose place in the book is unknown; nothing "
                       "is ever written in the clear");
        return false;
    }
    return true;
}

}  // namespace forecourt::crypto::detail
