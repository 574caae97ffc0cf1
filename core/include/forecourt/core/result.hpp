// The product's error vocabulary (Error, Result<T>, Status), defined in the
// platform layer so every layer above shares it.
#pragma once

#include "forecourt/platform/result.hpp"
