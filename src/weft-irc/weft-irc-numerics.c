/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-irc-numerics.h"

/* The texts are what servers traditionally send as the last parameter;
 * clients show them, so they stay in English as on every IRC network. */
typedef struct {
  guint numeric;
  const char *name;
  const char *text;
} NumericInfo;

static const NumericInfo numerics[] = {
  { WEFT_IRC_RPL_WELCOME, "RPL_WELCOME", "Welcome to the Internet Relay Network" },
  { WEFT_IRC_RPL_YOURHOST, "RPL_YOURHOST", NULL },
  { WEFT_IRC_RPL_CREATED, "RPL_CREATED", NULL },
  { WEFT_IRC_RPL_MYINFO, "RPL_MYINFO", NULL },
  { WEFT_IRC_RPL_ISUPPORT, "RPL_ISUPPORT", "are supported by this server" },
  { WEFT_IRC_RPL_UMODEIS, "RPL_UMODEIS", NULL },
  { WEFT_IRC_RPL_LUSERCLIENT, "RPL_LUSERCLIENT", NULL },
  { WEFT_IRC_RPL_LUSEROP, "RPL_LUSEROP", "operator(s) online" },
  { WEFT_IRC_RPL_LUSERUNKNOWN, "RPL_LUSERUNKNOWN", "unknown connection(s)" },
  { WEFT_IRC_RPL_LUSERCHANNELS, "RPL_LUSERCHANNELS", "channels formed" },
  { WEFT_IRC_RPL_LUSERME, "RPL_LUSERME", NULL },
  { WEFT_IRC_RPL_LOCALUSERS, "RPL_LOCALUSERS", NULL },
  { WEFT_IRC_RPL_GLOBALUSERS, "RPL_GLOBALUSERS", NULL },
  { WEFT_IRC_RPL_AWAY, "RPL_AWAY", NULL },
  { WEFT_IRC_RPL_UNAWAY, "RPL_UNAWAY", "You are no longer marked as being away" },
  { WEFT_IRC_RPL_NOWAWAY, "RPL_NOWAWAY", "You have been marked as being away" },
  { WEFT_IRC_RPL_WHOISUSER, "RPL_WHOISUSER", NULL },
  { WEFT_IRC_RPL_WHOISSERVER, "RPL_WHOISSERVER", NULL },
  { WEFT_IRC_RPL_ENDOFWHO, "RPL_ENDOFWHO", "End of WHO list" },
  { WEFT_IRC_RPL_WHOISIDLE, "RPL_WHOISIDLE", "seconds idle, signon time" },
  { WEFT_IRC_RPL_ENDOFWHOIS, "RPL_ENDOFWHOIS", "End of /WHOIS list" },
  { WEFT_IRC_RPL_WHOISCHANNELS, "RPL_WHOISCHANNELS", NULL },
  { WEFT_IRC_RPL_LISTSTART, "RPL_LISTSTART", "Users  Name" },
  { WEFT_IRC_RPL_LIST, "RPL_LIST", NULL },
  { WEFT_IRC_RPL_LISTEND, "RPL_LISTEND", "End of /LIST" },
  { WEFT_IRC_RPL_CHANNELMODEIS, "RPL_CHANNELMODEIS", NULL },
  { WEFT_IRC_RPL_CREATIONTIME, "RPL_CREATIONTIME", NULL },
  { WEFT_IRC_RPL_WHOISACCOUNT, "RPL_WHOISACCOUNT", "is logged in as" },
  { WEFT_IRC_RPL_NOTOPIC, "RPL_NOTOPIC", "No topic is set" },
  { WEFT_IRC_RPL_TOPIC, "RPL_TOPIC", NULL },
  { WEFT_IRC_RPL_TOPICWHOTIME, "RPL_TOPICWHOTIME", NULL },
  { WEFT_IRC_RPL_INVITING, "RPL_INVITING", NULL },
  { WEFT_IRC_RPL_VERSION, "RPL_VERSION", NULL },
  { WEFT_IRC_RPL_WHOREPLY, "RPL_WHOREPLY", NULL },
  { WEFT_IRC_RPL_NAMREPLY, "RPL_NAMREPLY", NULL },
  { WEFT_IRC_RPL_ENDOFNAMES, "RPL_ENDOFNAMES", "End of /NAMES list" },
  { WEFT_IRC_RPL_BANLIST, "RPL_BANLIST", NULL },
  { WEFT_IRC_RPL_ENDOFBANLIST, "RPL_ENDOFBANLIST", "End of channel ban list" },
  { WEFT_IRC_RPL_MOTD, "RPL_MOTD", NULL },
  { WEFT_IRC_RPL_MOTDSTART, "RPL_MOTDSTART", NULL },
  { WEFT_IRC_RPL_ENDOFMOTD, "RPL_ENDOFMOTD", "End of /MOTD command" },
  { WEFT_IRC_ERR_NOSUCHNICK, "ERR_NOSUCHNICK", "No such nick/channel" },
  { WEFT_IRC_ERR_NOSUCHSERVER, "ERR_NOSUCHSERVER", "No such server" },
  { WEFT_IRC_ERR_NOSUCHCHANNEL, "ERR_NOSUCHCHANNEL", "No such channel" },
  { WEFT_IRC_ERR_CANNOTSENDTOCHAN, "ERR_CANNOTSENDTOCHAN", "Cannot send to channel" },
  { WEFT_IRC_ERR_TOOMANYCHANNELS, "ERR_TOOMANYCHANNELS", "You have joined too many channels" },
  { WEFT_IRC_ERR_TOOMANYTARGETS, "ERR_TOOMANYTARGETS", "Too many targets" },
  { WEFT_IRC_ERR_NOORIGIN, "ERR_NOORIGIN", "No origin specified" },
  { WEFT_IRC_ERR_INVALIDCAPCMD, "ERR_INVALIDCAPCMD", "Invalid CAP command" },
  { WEFT_IRC_ERR_NORECIPIENT, "ERR_NORECIPIENT", "No recipient given" },
  { WEFT_IRC_ERR_NOTEXTTOSEND, "ERR_NOTEXTTOSEND", "No text to send" },
  { WEFT_IRC_ERR_INPUTTOOLONG, "ERR_INPUTTOOLONG", "Input line was too long" },
  { WEFT_IRC_ERR_UNKNOWNCOMMAND, "ERR_UNKNOWNCOMMAND", "Unknown command" },
  { WEFT_IRC_ERR_NOMOTD, "ERR_NOMOTD", "MOTD File is missing" },
  { WEFT_IRC_ERR_NONICKNAMEGIVEN, "ERR_NONICKNAMEGIVEN", "No nickname given" },
  { WEFT_IRC_ERR_ERRONEUSNICKNAME, "ERR_ERRONEUSNICKNAME", "Erroneous nickname" },
  { WEFT_IRC_ERR_NICKNAMEINUSE, "ERR_NICKNAMEINUSE", "Nickname is already in use" },
  { WEFT_IRC_ERR_USERNOTINCHANNEL, "ERR_USERNOTINCHANNEL", "They aren't on that channel" },
  { WEFT_IRC_ERR_NOTONCHANNEL, "ERR_NOTONCHANNEL", "You're not on that channel" },
  { WEFT_IRC_ERR_USERONCHANNEL, "ERR_USERONCHANNEL", "is already on channel" },
  { WEFT_IRC_ERR_NOTREGISTERED, "ERR_NOTREGISTERED", "You have not registered" },
  { WEFT_IRC_ERR_NEEDMOREPARAMS, "ERR_NEEDMOREPARAMS", "Not enough parameters" },
  { WEFT_IRC_ERR_ALREADYREGISTERED, "ERR_ALREADYREGISTERED", "You may not reregister" },
  { WEFT_IRC_ERR_PASSWDMISMATCH, "ERR_PASSWDMISMATCH", "Password incorrect" },
  { WEFT_IRC_ERR_CHANNELISFULL, "ERR_CHANNELISFULL", "Cannot join channel (+l)" },
  { WEFT_IRC_ERR_UNKNOWNMODE, "ERR_UNKNOWNMODE", "is unknown mode char to me" },
  { WEFT_IRC_ERR_INVITEONLYCHAN, "ERR_INVITEONLYCHAN", "Cannot join channel (+i)" },
  { WEFT_IRC_ERR_BANNEDFROMCHAN, "ERR_BANNEDFROMCHAN", "Cannot join channel (+b)" },
  { WEFT_IRC_ERR_BADCHANNELKEY, "ERR_BADCHANNELKEY", "Cannot join channel (+k)" },
  { WEFT_IRC_ERR_BADCHANMASK, "ERR_BADCHANMASK", "Bad Channel Mask" },
  { WEFT_IRC_ERR_CHANOPRIVSNEEDED, "ERR_CHANOPRIVSNEEDED", "You're not channel operator" },
  { WEFT_IRC_ERR_UMODEUNKNOWNFLAG, "ERR_UMODEUNKNOWNFLAG", "Unknown MODE flag" },
  { WEFT_IRC_ERR_USERSDONTMATCH, "ERR_USERSDONTMATCH", "Cant change mode for other users" },
  { WEFT_IRC_ERR_INVALIDKEY, "ERR_INVALIDKEY", "Key is not well-formed" },
  { WEFT_IRC_RPL_LOGGEDIN, "RPL_LOGGEDIN", NULL },
  { WEFT_IRC_RPL_LOGGEDOUT, "RPL_LOGGEDOUT", "You are now logged out" },
  { WEFT_IRC_ERR_NICKLOCKED, "ERR_NICKLOCKED", "You must use a nick assigned to you" },
  { WEFT_IRC_RPL_SASLSUCCESS, "RPL_SASLSUCCESS", "SASL authentication successful" },
  { WEFT_IRC_ERR_SASLFAIL, "ERR_SASLFAIL", "SASL authentication failed" },
  { WEFT_IRC_ERR_SASLTOOLONG, "ERR_SASLTOOLONG", "SASL message too long" },
  { WEFT_IRC_ERR_SASLABORTED, "ERR_SASLABORTED", "SASL authentication aborted" },
  { WEFT_IRC_ERR_SASLALREADY, "ERR_SASLALREADY", "You have already authenticated using SASL" },
  { WEFT_IRC_RPL_SASLMECHS, "RPL_SASLMECHS", "are available SASL mechanisms" },
};

static const NumericInfo *
lookup (guint numeric)
{
  gsize low = 0, high = G_N_ELEMENTS (numerics);

  /* The table is sorted by number. */
  while (low < high)
    {
      gsize mid = (low + high) / 2;
      if (numerics[mid].numeric == numeric)
        return &numerics[mid];
      if (numerics[mid].numeric < numeric)
        low = mid + 1;
      else
        high = mid;
    }
  return NULL;
}

/**
 * weft_irc_numeric_get_name:
 * @numeric: a numeric reply, 1 to 999
 *
 * Returns: (nullable): the conventional name, such as "ERR_NOSUCHNICK",
 *   or %NULL for a numeric this library does not know
 */
const char *
weft_irc_numeric_get_name (guint numeric)
{
  const NumericInfo *info = lookup (numeric);
  return info != NULL ? info->name : NULL;
}

/**
 * weft_irc_numeric_get_text:
 * @numeric: a numeric reply, 1 to 999
 *
 * The standard human-readable text of a numeric, which servers send as its
 * last parameter. Numerics whose last parameter is data (RPL_TOPIC, ...)
 * have none.
 *
 * Returns: (nullable): the text, or %NULL
 */
const char *
weft_irc_numeric_get_text (guint numeric)
{
  const NumericInfo *info = lookup (numeric);
  return info != NULL ? info->text : NULL;
}
