#pragma once

#include "weft-options.h"
