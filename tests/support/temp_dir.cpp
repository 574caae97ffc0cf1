// Temporary directories for tests.
#include "temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>

namespace forecourt::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "forecourt-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace forecourt::testing
