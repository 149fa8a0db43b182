#pragma once

#define WEFT_INSIDE
#include "weft-version.h"
#include "weft-error.h"
#include "weft-reactor.h"
#include "weft-deferred.h"
#include "weft-lifecycle.h"
#include "weft-looping-call.h"
#include "weft-threads.h"
#include "weft-transport.h"
#include "weft-protocol.h"
#include "weft-factory.h"
#include "weft-line-receiver.h"
#include "weft-netstring-receiver.h"
#include "weft-length-prefixed-receiver.h"
#include "weft-options.h"
#undef WEFT_INSIDE
