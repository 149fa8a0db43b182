/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* GTypes of the public enumerations and flags that have no other home
 * (those of a type's own file are defined there). Bindings and GObject
 * properties need them. */

#include "config.h"

#define WEFT_INSIDE
#include "weft-error.h"
#include "weft-lifecycle.h"
#include "weft-process-status.h"
#include "weft-process.h"
#include "weft-reactor.h"
#include "weft-tls.h"
#include "weft-udp.h"

G_DEFINE_ENUM_TYPE (WeftError,
                    weft_error,
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_UNKNOWN_REACTOR, "unknown-reactor"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_REACTOR_UNAVAILABLE, "reactor-unavailable"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_FD_TOO_LARGE, "fd-too-large"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_CANCELLED, "cancelled"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_TIMEOUT, "timeout"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_ALREADY_CALLED, "already-called"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_CONNECTION_DONE, "connection-done"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_CONNECTION_LOST, "connection-lost"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_CONNECTION_ABORTED, "connection-aborted"),
                    G_DEFINE_ENUM_VALUE (WEFT_ERROR_INVALID_ENDPOINT, "invalid-endpoint"))

G_DEFINE_ENUM_TYPE (WeftSystemEvent,
                    weft_system_event,
                    G_DEFINE_ENUM_VALUE (WEFT_SYSTEM_EVENT_STARTUP, "startup"),
                    G_DEFINE_ENUM_VALUE (WEFT_SYSTEM_EVENT_SHUTDOWN, "shutdown"))

G_DEFINE_ENUM_TYPE (WeftTriggerPhase,
                    weft_trigger_phase,
                    G_DEFINE_ENUM_VALUE (WEFT_TRIGGER_BEFORE, "before"),
                    G_DEFINE_ENUM_VALUE (WEFT_TRIGGER_DURING, "during"),
                    G_DEFINE_ENUM_VALUE (WEFT_TRIGGER_AFTER, "after"))

G_DEFINE_ENUM_TYPE (WeftProcessError,
                    weft_process_error,
                    G_DEFINE_ENUM_VALUE (WEFT_PROCESS_ERROR_EXITED, "exited"),
                    G_DEFINE_ENUM_VALUE (WEFT_PROCESS_ERROR_KILLED, "killed"),
                    G_DEFINE_ENUM_VALUE (WEFT_PROCESS_ERROR_STATUS_UNKNOWN, "status-unknown"),
                    G_DEFINE_ENUM_VALUE (WEFT_PROCESS_ERROR_ALREADY_EXITED, "already-exited"))

G_DEFINE_ENUM_TYPE (WeftChildFdKind,
                    weft_child_fd_kind,
                    G_DEFINE_ENUM_VALUE (WEFT_CHILD_FD_TO_CHILD, "to-child"),
                    G_DEFINE_ENUM_VALUE (WEFT_CHILD_FD_FROM_CHILD, "from-child"),
                    G_DEFINE_ENUM_VALUE (WEFT_CHILD_FD_PARENT_FD, "parent-fd"),
                    G_DEFINE_ENUM_VALUE (WEFT_CHILD_FD_DEV_NULL, "dev-null"))

G_DEFINE_FLAGS_TYPE (WeftReactorFlags,
                     weft_reactor_flags,
                     G_DEFINE_ENUM_VALUE (WEFT_REACTOR_FLAGS_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING, "no-glib-hosting"),
                     G_DEFINE_ENUM_VALUE (WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, "no-signal-handlers"))

G_DEFINE_FLAGS_TYPE (WeftIOCondition,
                     weft_io_condition,
                     G_DEFINE_ENUM_VALUE (WEFT_IO_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (WEFT_IO_READ, "read"),
                     G_DEFINE_ENUM_VALUE (WEFT_IO_WRITE, "write"),
                     G_DEFINE_ENUM_VALUE (WEFT_IO_HUP, "hup"),
                     G_DEFINE_ENUM_VALUE (WEFT_IO_ERROR, "error"))

G_DEFINE_ENUM_TYPE (WeftTlsError,
                    weft_tls_error,
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_BAD_OPTIONS, "bad-options"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_NOT_TLS, "not-tls"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_HANDSHAKE, "handshake"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_PEER_ALERT, "peer-alert"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_CERTIFICATE_EXPIRED, "certificate-expired"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED, "certificate-not-activated"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_UNKNOWN_ISSUER, "unknown-issuer"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_BAD_IDENTITY, "bad-identity"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_REVOKED, "revoked"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_INSECURE, "insecure"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_BAD_CERTIFICATE, "bad-certificate"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_PIN_MISMATCH, "pin-mismatch"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_CERTIFICATE_REQUIRED, "certificate-required"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_ERROR_EOF, "eof"))

G_DEFINE_FLAGS_TYPE (WeftUdpFlags,
                     weft_udp_flags,
                     G_DEFINE_ENUM_VALUE (WEFT_UDP_FLAGS_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (WEFT_UDP_FLAGS_REUSE_ADDRESS, "reuse-address"),
                     G_DEFINE_ENUM_VALUE (WEFT_UDP_FLAGS_REUSE_PORT, "reuse-port"))
