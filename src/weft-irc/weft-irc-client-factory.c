/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-irc-client-private.h"

/* A WeftIrcClient outlives its connections, but a WeftProtocol serves one
 * connection only. So the client's reconnecting factory builds a small link
 * protocol per connection that hands everything to the client. */

#define WEFT_IRC_TYPE_LINK (weft_irc_link_get_type ())
G_DECLARE_FINAL_TYPE (WeftIrcLink, weft_irc_link, WEFT_IRC, LINK, WeftProtocol)

struct _WeftIrcLink {
  WeftProtocol parent_instance;
  WeftIrcClient *client; /* owned */
};

G_DEFINE_FINAL_TYPE (WeftIrcLink, weft_irc_link, WEFT_TYPE_PROTOCOL)

static void
weft_irc_link_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WeftIrcLink *self = WEFT_IRC_LINK (protocol);

  if (self->client != NULL)
    _weft_irc_client_attach (self->client, transport);
}

static void
weft_irc_link_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftIrcLink *self = WEFT_IRC_LINK (protocol);

  if (self->client != NULL)
    _weft_irc_client_data (self->client, data, len);
}

static void
weft_irc_link_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WeftIrcLink *self = WEFT_IRC_LINK (protocol);

  if (self->client != NULL)
    _weft_irc_client_detach (self->client, reason);
  g_clear_object (&self->client);
}

static void
weft_irc_link_pause_writing (WeftProtocol *protocol)
{
  WeftIrcLink *self = WEFT_IRC_LINK (protocol);

  if (self->client != NULL)
    _weft_irc_client_pause_writing (self->client, TRUE);
}

static void
weft_irc_link_resume_writing (WeftProtocol *protocol)
{
  WeftIrcLink *self = WEFT_IRC_LINK (protocol);

  if (self->client != NULL)
    _weft_irc_client_pause_writing (self->client, FALSE);
}

static void
weft_irc_link_dispose (GObject *object)
{
  g_clear_object (&WEFT_IRC_LINK (object)->client);
  G_OBJECT_CLASS (weft_irc_link_parent_class)->dispose (object);
}

static void
weft_irc_link_class_init (WeftIrcLinkClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = weft_irc_link_dispose;
  protocol_class->connection_made = weft_irc_link_connection_made;
  protocol_class->data_received = weft_irc_link_data_received;
  protocol_class->connection_lost = weft_irc_link_connection_lost;
  protocol_class->pause_writing = weft_irc_link_pause_writing;
  protocol_class->resume_writing = weft_irc_link_resume_writing;
}

static void
weft_irc_link_init (WeftIrcLink *self)
{
}

#define WEFT_IRC_TYPE_CLIENT_FACTORY (weft_irc_client_factory_get_type ())
G_DECLARE_FINAL_TYPE (WeftIrcClientFactory,
                      weft_irc_client_factory,
                      WEFT_IRC,
                      CLIENT_FACTORY,
                      WeftReconnectingClientFactory)

struct _WeftIrcClientFactory {
  WeftReconnectingClientFactory parent_instance;
  GWeakRef client;
};

G_DEFINE_FINAL_TYPE (WeftIrcClientFactory, weft_irc_client_factory, WEFT_TYPE_RECONNECTING_CLIENT_FACTORY)

static WeftProtocol *
weft_irc_client_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftIrcClientFactory *self = WEFT_IRC_CLIENT_FACTORY (factory);
  WeftProtocol *protocol;

  protocol = WEFT_FACTORY_CLASS (weft_irc_client_factory_parent_class)->build_protocol (factory, address);
  if (WEFT_IRC_IS_LINK (protocol))
    WEFT_IRC_LINK (protocol)->client = g_weak_ref_get (&self->client);
  return protocol;
}

static void
weft_irc_client_factory_started_connecting (WeftClientFactory *factory, gpointer connector)
{
  g_autoptr (WeftIrcClient) client = g_weak_ref_get (&WEFT_IRC_CLIENT_FACTORY (factory)->client);

  WEFT_CLIENT_FACTORY_CLASS (weft_irc_client_factory_parent_class)->started_connecting (factory, connector);
  if (client != NULL)
    _weft_irc_client_connecting (client);
}

static void
weft_irc_client_factory_client_connection_failed (WeftClientFactory *factory, gpointer connector, const GError *reason)
{
  g_autoptr (WeftIrcClient) client = g_weak_ref_get (&WEFT_IRC_CLIENT_FACTORY (factory)->client);

  WEFT_CLIENT_FACTORY_CLASS (weft_irc_client_factory_parent_class)
      ->client_connection_failed (factory, connector, reason);
  if (client != NULL)
    _weft_irc_client_connection_failed (client, reason);
}

static void
weft_irc_client_factory_finalize (GObject *object)
{
  g_weak_ref_clear (&WEFT_IRC_CLIENT_FACTORY (object)->client);
  G_OBJECT_CLASS (weft_irc_client_factory_parent_class)->finalize (object);
}

static void
weft_irc_client_factory_class_init (WeftIrcClientFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_irc_client_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = weft_irc_client_factory_build_protocol;
  WEFT_CLIENT_FACTORY_CLASS (klass)->started_connecting = weft_irc_client_factory_started_connecting;
  WEFT_CLIENT_FACTORY_CLASS (klass)->client_connection_failed = weft_irc_client_factory_client_connection_failed;
}

static void
weft_irc_client_factory_init (WeftIrcClientFactory *self)
{
  g_weak_ref_init (&self->client, NULL);
}

WeftReconnectingClientFactory *
_weft_irc_client_factory_new (WeftIrcClient *client)
{
  WeftIrcClientFactory *self =
      g_object_new (WEFT_IRC_TYPE_CLIENT_FACTORY, "reactor", weft_irc_client_get_reactor (client), "protocol-type",
                    WEFT_IRC_TYPE_LINK, NULL);

  g_weak_ref_set (&self->client, client);
  return WEFT_RECONNECTING_CLIENT_FACTORY (self);
}
