// POSIX implementations of the durable file operations.
#include "file_ops.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "forecourt/platform/random.hpp"

namespace forecourt::crypto::detail {
namespace {

Error io_error(const std::string& what, const std::string& path) {
    return make_error(ErrorCode::storage, what + " " + path + ": " + std::strerror(errno),
                      ErrorDomain::storage);
}

std::string directory_of(const std::string& path) {
    auto dir = std::filesystem::path(path).parent_path();
    return dir.empty() ? std::string(".") : dir.string();
}

Status write_all(int fd, const char* data, std::size_t size, const std::string& path) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot write", path);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return ok_status();
}

}  // namespace

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

Result<std::string> read_small_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return make_error(ErrorCode::not_found, "no file at " + path, ErrorDomain::storage);
        return io_error("cannot open", path);
    }
    std::string content;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || content.size() > (1u << 20)) break;
        content.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return content;
}

Status fsync_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open", path);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return io_error("cannot sync", path);
    return ok_status();
}

Status fsync_directory_of(const std::string& path) {
    const std::string dir = directory_of(path);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open directory", dir);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return io_error("cannot sync directory", dir);
    return ok_status();
}

Status replace_file_durably(const std::string& path, const std::string& content) {
    const std::string temp = path + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("cannot create", temp);
    Status written = write_all(fd, content.data(), content.size(), temp);
    if (written.ok() && ::fsync(fd) != 0) written = io_error("cannot sync", temp);
    ::close(fd);
    if (!written.ok()) {
        ::unlink(temp.c_str());
        return written;
    }
    return rename_durably(temp, path);
}

Status rename_durably(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) return io_error("cannot rename " + from + " to", to);
    return fsync_directory_of(to);
}

Status remove_durably(const std::string& path) {
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return ok_status();
        return io_error("cannot remove", path);
    }
    return fsync_directory_of(path);
}

void shred_descriptor(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        std::vector<char> noise(static_cast<std::size_t>(st.st_size));
        platform::random_bytes(noise.data(), noise.size());
        if (::pwrite(fd, noise.data(), noise.size(), 0) == static_cast<ssize_t>(noise.size()))
            ::fsync(fd);
    }
    ::close(fd);
}

Status shred_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return ok_status();
        return io_error("cannot open", path);
    }
    shred_descriptor(fd);
    return remove_durably(path);
}

}  // namespace forecourt::crypto::detail
