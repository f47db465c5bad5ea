// check_invite.mjs - second, independent reading of an invite written by
// podd_calendar (tests/integration/60-invites.sh). Usage:
//     node check_invite.mjs FILE.eml
// Finds the text/calendar part with a small MIME reader of its own, parses
// it with ical.js (registering the VTIMEZONE with ICAL.TimezoneService so
// times are resolved by the zone we ship, not a built-in one), reads
// ICAL.Event and prints facts as "key=value" lines for the shell to check.
// Exit 1 when the message cannot be read at all.
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

function fail(message) {
    console.log(`error=${message}`);
    process.exit(1);
}

// Headers of an entity: lower-cased name -> unfolded value (first wins)
function parseEntity(bytes) {
    const text = bytes.toString('latin1');
    let split = text.indexOf('\r\n\r\n');
    let sep = 4;
    if (split < 0) { split = text.indexOf('\n\n'); sep = 2; }
    if (split < 0) { split = text.length; sep = 0; }
    const headers = {};
    const unfolded = text.slice(0, split).replace(/\r?\n[ \t]/g, ' ');
    for (const line of unfolded.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
    }
    return { headers, body: bytes.subarray(Math.min(bytes.length, split + sep)) };
}

// "type/subtype; a=b; c="d"" -> { type, params }
function parseContentType(value) {
    const parts = (value || 'text/plain').split(';');
    const params = {};
    for (const part of parts.slice(1)) {
        const eq = part.indexOf('=');
        if (eq < 0) continue;
        let v = part.slice(eq + 1).trim();
        if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
        params[part.slice(0, eq).trim().toLowerCase()] = v;
    }
    return { type: parts[0].trim().toLowerCase(), params };
}

// Depth-first list of leaf parts: { type, params, encoding, disposition, body }
function leaves(bytes, out = [], depth = 0) {
    const { headers, body } = parseEntity(bytes);
    const ct = parseContentType(headers['content-type']);
    if (ct.type.startsWith('multipart/') && ct.params.boundary && depth < 10) {
        out.push({ type: ct.type, params: ct.params, container: true });
        const delimiter = Buffer.from(`--${ct.params.boundary}`, 'latin1');
        let at = body.indexOf(delimiter);
        while (at >= 0) {
            let start = at + delimiter.length;
            if (body.subarray(start, start + 2).toString() === '--') break;
            start = body.indexOf('\n', start) + 1;
            let next = body.indexOf(delimiter, start);
            if (next < 0) break;
            let end = next;
            if (body[end - 1] === 0x0a) end--;
            if (body[end - 1] === 0x0d) end--;
            leaves(body.subarray(start, end), out, depth + 1);
            at = next;
        }
        return out;
    }
    out.push({
        type: ct.type, params: ct.params,
        encoding: (headers['content-transfer-encoding'] || '7bit').toLowerCase(),
        disposition: (headers['content-disposition'] || '').split(';')[0].trim().toLowerCase(),
        body,
    });
    return out;
}

function decode(part) {
    if (part.encoding === 'base64')
        return Buffer.from(part.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (part.encoding === 'quoted-printable') {
        const s = part.body.toString('latin1').replace(/=\r?\n/g, '');
        return Buffer.from(s.replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    }
    return part.body;
}

const file = process.argv[2];
if (!file) fail('usage: node check_invite.mjs FILE.eml');
const raw = readFileSync(file);
const parts = leaves(raw);
const facts = [];
const fact = (k, v) => facts.push(`${k}=${String(v).replace(/[\r\n]/g, ' ')}`);

fact('parts', parts.map(p => p.type).join(','));
const calendars = parts.filter(p => p.type === 'text/calendar');
fact('calendar_parts', calendars.length);
if (calendars.length !== 1) { console.log(facts.join('\n')); fail('not exactly one text/calendar part'); }
const calPart = calendars[0];
fact('mime_method', calPart.params.method || '');
fact('mime_charset', (calPart.params.charset || '').toUpperCase());
fact('calendar_encoding', calPart.encoding);
fact('calendar_disposition', calPart.disposition || 'none');
const icsBytes = decode(calPart);
const ics = icsBytes.toString('utf8');
fact('ics_crlf', /(^|[^\r])\n/.test(ics) ? 'no' : 'yes');

let comp;
try {
    comp = new ICAL.Component(ICAL.parse(ics));
} catch (e) {
    console.log(facts.join('\n'));
    fail(`ical.js cannot parse: ${e.message}`);
}
fact('method', comp.getFirstPropertyValue('method'));
fact('version', comp.getFirstPropertyValue('version'));
fact('prodid', comp.getFirstPropertyValue('prodid'));
const zones = comp.getAllSubcomponents('vtimezone');
fact('vtimezones', zones.length);
for (const vtz of zones) ICAL.TimezoneService.register(vtz);
fact('tzids', zones.map(z => z.getFirstPropertyValue('tzid')).join(','));
fact('tz_parts', zones.map(z => z.getAllSubcomponents().length).join(','));
const vevents = comp.getAllSubcomponents('vevent');
fact('vevents', vevents.length);
if (vevents.length >= 1) {
    const ev = new ICAL.Event(vevents[0]);
    const utc = ICAL.Timezone.utcTimezone;
    fact('uid', ev.uid);
    fact('sequence', ev.sequence);
    fact('status', vevents[0].getFirstPropertyValue('status'));
    fact('summary', ev.summary);
    fact('location', ev.location);
    fact('dtstart_tzid', ev.startDate.zone ? ev.startDate.zone.tzid : '');
    fact('dtstart_local', ev.startDate.toString());
    fact('dtstart_utc', ev.startDate.convertToZone(utc).toString());
    fact('dtend_utc', ev.endDate.convertToZone(utc).toString());
    fact('dtstamp', vevents[0].getFirstPropertyValue('dtstamp').toString());
    const organiser = vevents[0].getFirstProperty('organizer');
    fact('organiser', (ev.organizer || '').replace(/^mailto:/i, '').toLowerCase());
    fact('organiser_cn', organiser ? organiser.getParameter('cn') || '' : '');
    const attendees = ev.attendees;
    fact('attendees', attendees.map(a => a.getFirstValue().replace(/^mailto:/i, '').toLowerCase()).join(','));
    fact('attendee_cns', attendees.map(a => a.getParameter('cn')).join('|'));
    fact('rsvp', attendees.map(a => String(a.getParameter('rsvp')).toUpperCase()).join(','));
    fact('partstat', attendees.map(a => a.getParameter('partstat')).join(','));
    fact('cutype', attendees.map(a => a.getParameter('cutype')).join(','));
    fact('role', attendees.map(a => a.getParameter('role')).join(','));
    // RFC 7986 CONFERENCE (an online meeting's joining link)
    const confs = vevents[0].getAllProperties('conference');
    fact('conferences', confs.length);
    fact('conference', confs.map(c => c.getFirstValue()).join(','));
    fact('conference_value', confs.map(c => String(c.getParameter('value') || c.type || '').toUpperCase()).join(','));
    fact('conference_feature', confs.map(c => [].concat(c.getParameter('feature') || []).join(',')).join(';'));
    fact('conference_label', confs.map(c => c.getParameter('label') || '').join(','));
}
console.log(facts.join('\n'));
