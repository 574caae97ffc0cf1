// Opening a consultant's book from a home directory: the one place the CLI
// turns a home into a Book, so how a book is unlocked is decided here only.
#pragma once

#include <memory>
#include <string>

#include "forecourt/core/book.hpp"
#include "forecourt/platform/clock.hpp"

namespace forecourt::cli {

struct SessionOptions {
    std::string home;  // the directory holding book.db
    const platform::Clock* clock = &platform::system_clock();
};

// The book's file inside a home directory.
std::string book_file(const std::string& home);

// Opens the existing book in `session.home`.
Result<std::unique_ptr<Book>> open_book(const SessionOptions& session);

// Creates a new book in `session.home`, creating the directory if needed.
Result<std::unique_ptr<Book>> create_book(const SessionOptions& session, const NewBook& who);

}  // namespace forecourt::cli
