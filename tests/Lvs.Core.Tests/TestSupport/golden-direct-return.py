#!/usr/bin/env python3
"""Derives the DR, TUN (ipip, gre) and ICMP golden packets of GoldenPackets.DirectReturn.cs and
IcmpBuilderTests.cs, independently of Lvs.Core: plain struct packing and RFC 1071 sums.
Run: python3 golden-direct-return.py  (prints name = hex lines)."""
import struct

def ip(s): return bytes(int(p) for p in s.split('.'))

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s > 0xffff: s = (s & 0xffff) + (s >> 16)
    return s  # folded, not complemented

def ipv4(src, dst, proto, payload, ttl=64, ident=0x1234, flags=0x4000, tos=0):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, tos, 20 + len(payload), ident, flags, ttl, proto, 0, src, dst)
    c = (~csum(h)) & 0xffff
    return h[:10] + struct.pack('!H', c) + h[12:] + payload

def tcp(src, dst, sport, dport, flags, seq, ack, payload=b'', mode='full'):
    t = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 0xfaf0, 0, 0) + payload
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(t))
    c = csum(pseudo) if mode == 'partial' else (~csum(pseudo + t)) & 0xffff
    return t[:16] + struct.pack('!H', c) + t[18:]

ETH = bytes.fromhex('020000000001' '020000000002' '0800')
def eth(p): return ETH + p

CLIENT, DRVIP, TUNVIP, DIRECTOR = ip('198.51.100.2'), ip('192.0.2.20'), ip('192.0.2.30'), ip('203.0.113.1')
DRRS, IPIP, GRE = ip('203.0.113.11'), ip('203.0.113.21'), ip('203.0.113.23')
SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08

def packet(dst, sport, flags, seq, ack, ttl, payload=b'', mode='full'):
    return ipv4(CLIENT, dst, 6, tcp(CLIENT, dst, sport, 80, flags, seq, ack, payload, mode), ttl)

out = {}
# DR: in and out differ only in TTL and header checksum.
for name, sport, flags, seq, ack, payload, mode in [
        ('DrSyn', 40000, SYN, 0x01020304, 0, b'', 'full'),
        ('DrAck', 40000, ACK, 0x01020305, 0x0a0b0c0e, b'', 'full'),
        ('DrClientData', 40000, PSH | ACK, 0x01020305, 0x0a0b0c0e, b'GET / HTTP', 'full'),
        ('DrFin', 40000, FIN | ACK, 0x0102030f, 0x0a0b0c0e, b'', 'full'),
        ('DrSynPartial', 40001, SYN, 0x01020304, 0, b'', 'partial')]:
    out[name + '.in'] = eth(packet(DRVIP, sport, flags, seq, ack, 64, payload, mode))
    out[name + '.out'] = eth(packet(DRVIP, sport, flags, seq, ack, 63, payload, mode))

# TUN: the client SYN, and the inner packet the director hands to the encoder (TTL 63).
out['TunSyn.in'] = eth(packet(TUNVIP, 40000, SYN, 0x01020304, 0, 64))
inner = packet(TUNVIP, 40000, SYN, 0x01020304, 0, 63)
out['TunInner'] = inner
# ipip: outer copies TOS 0, TTL 63, DF; id 0 with DF.
out['Ipip'] = ipv4(DIRECTOR, IPIP, 4, inner, ttl=63, ident=0)
out['Gre'] = ipv4(DIRECTOR, GRE, 47, struct.pack('!HH', 0, 0x0800) + inner, ttl=63, ident=0)
g = struct.pack('!HHHH', 0x8000, 0x0800, 0, 0) + inner
g = g[:4] + struct.pack('!H', (~csum(g)) & 0xffff) + g[6:]
out['GreChecksum'] = ipv4(DIRECTOR, GRE, 47, g, ttl=63, ident=0)

# ICMP frag-needed from the VIP about the TUN inner packet, MTU 1480 (type 3 code 4, TOS 0xc0, id 0, no DF, TTL 64).
icmp = struct.pack('!BBHHH', 3, 4, 0, 0, 1480) + inner
icmp = icmp[:2] + struct.pack('!H', (~csum(icmp)) & 0xffff) + icmp[4:]
out['FragNeeded'] = ipv4(TUNVIP, CLIENT, 1, icmp, ttl=64, ident=0, flags=0, tos=0xc0)

for k, v in out.items():
    print(k, '=', v.hex())
