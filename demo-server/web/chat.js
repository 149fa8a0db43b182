// SPDX-License-Identifier: GPL-3.0-or-later
// The browser chat page: IRC over WebSocket (text.ircv3.net), one channel.
// Everything that comes from the network is inserted with textContent,
// never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
let socket = null;
let nick = '';
let channel = '';
let historyBatch = null;
const seen = new Set();

function setStatus(text) { $('status').textContent = text; }

function unescapeTag(value) {
  return value.replace(/\\(.)/g, (m, c) => ({ ':': ';', s: ' ', r: '\r', n: '\n', '\\': '\\' }[c] ?? c));
}

function parse(line) {
  const msg = { tags: {}, source: null, verb: '', params: [] };
  let rest = line;
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ');
    for (const tag of rest.slice(1, space).split(';')) {
      const eq = tag.indexOf('=');
      if (eq < 0) msg.tags[tag] = '';
      else msg.tags[tag.slice(0, eq)] = unescapeTag(tag.slice(eq + 1));
    }
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    msg.source = rest.slice(1, space);
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  while (rest.length > 0) {
    if (rest.startsWith(':')) { msg.params.push(rest.slice(1)); break; }
    const space = rest.indexOf(' ');
    if (space < 0) { msg.params.push(rest); break; }
    msg.params.push(rest.slice(0, space));
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  if (msg.params.length > 0 || msg.verb === '') msg.verb = (msg.params.shift() || '').toUpperCase();
  return msg;
}

function nickOf(source) { return source ? source.split('!')[0] : ''; }

function send(line) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(line);
}

function addLine(msg, kind) {
  const id = msg.tags.msgid;
  if (id) { if (seen.has(id)) return; seen.add(id); }
  const item = document.createElement('li');
  if (kind) item.className = kind;
  const time = document.createElement('span');
  time.className = 'time';
  const when = msg.tags.time ? new Date(msg.tags.time) : new Date();
  time.textContent = when.toLocaleTimeString();
  item.appendChild(time);
  const who = document.createElement('span');
  who.className = 'nick';
  who.textContent = '<' + nickOf(msg.source) + '>';
  item.appendChild(who);
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = msg.params[1] ?? '';
  item.appendChild(text);
  const log = $('log');
  if (kind === 'history') {
    // History arrives oldest first, before the live messages it precedes.
    const firstLive = log.querySelector('li:not(.history)');
    log.insertBefore(item, firstLive);
  } else {
    log.appendChild(item);
  }
  item.scrollIntoView({ block: 'end' });
}

function addEvent(text) {
  const item = document.createElement('li');
  item.className = 'event';
  item.textContent = text;
  $('log').appendChild(item);
}

function handle(line) {
  const msg = parse(line);
  switch (msg.verb) {
    case 'PING': send('PONG :' + (msg.params[0] ?? '')); break;
    case 'CAP':
      if (msg.params[1] === 'ACK' || msg.params[1] === 'NAK') send('CAP END');
      break;
    case '001':
      nick = msg.params[0];
      setStatus('Connected as ' + nick);
      send('JOIN ' + channel);
      break;
    case '433':
      nick = nick + '_';
      send('NICK ' + nick);
      break;
    case '366':
      send('CHATHISTORY LATEST ' + channel + ' * 50');
      $('composer').hidden = false;
      $('text').focus();
      break;
    case 'BATCH':
      if (msg.params[0].startsWith('+') && msg.params[1] === 'chathistory') historyBatch = msg.params[0].slice(1);
      else if (msg.params[0] === '-' + historyBatch) historyBatch = null;
      break;
    case 'PRIVMSG':
    case 'NOTICE':
      if ((msg.params[0] || '').toLowerCase() !== channel.toLowerCase()) break;
      addLine(msg, msg.tags.batch && msg.tags.batch === historyBatch ? 'history' : '');
      break;
    case 'JOIN':
      if (nickOf(msg.source) !== nick) addEvent(nickOf(msg.source) + ' joined');
      break;
    case 'PART':
    case 'QUIT':
      addEvent(nickOf(msg.source) + ' left');
      break;
    case 'FAIL':
      addEvent('Error: ' + msg.params[msg.params.length - 1]);
      break;
    case 'ERROR':
      setStatus('Disconnected: ' + (msg.params[0] ?? ''));
      break;
    default:
      if (/^4\d\d$/.test(msg.verb)) addEvent(msg.params[msg.params.length - 1]);
  }
}

function connect(event) {
  event.preventDefault();
  nick = $('nick').value.trim();
  channel = $('channel').value.trim();
  if (!channel.startsWith('#')) channel = '#' + channel;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(scheme + '//' + location.host + '/irc', ['text.ircv3.net']);
  setStatus('Connecting…');
  socket.onopen = () => {
    send('CAP LS 302');
    send('NICK ' + nick);
    send('USER ' + nick + ' 0 * :Weft browser page');
    send('CAP REQ :server-time message-tags echo-message batch draft/chathistory');
    $('login').hidden = true;
  };
  socket.onmessage = (e) => {
    const data = typeof e.data === 'string' ? e.data : '';
    for (const line of data.split(/\r?\n/)) if (line.length > 0) handle(line);
  };
  socket.onclose = () => { setStatus('Disconnected'); $('composer').hidden = true; $('login').hidden = false; };
}

function submit(event) {
  event.preventDefault();
  const text = $('text').value;
  if (text.length === 0) return;
  send('PRIVMSG ' + channel + ' :' + text.replace(/[\r\n]+/g, ' '));
  $('text').value = '';
}

$('login').addEventListener('submit', connect);
$('composer').addEventListener('submit', submit);
