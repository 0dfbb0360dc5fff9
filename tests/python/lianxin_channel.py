"""Channels to lianxin services from Python, as libs/runtime/channel.h makes them.

TLS (grpc.ssl_channel_credentials) whenever a CA is given, presenting a client
certificate and key when given (mutual TLS); plaintext only to a loopback
address, so that a bearer token never crosses a network in clear.

  add_tls_arguments(parser)          # --tls_ca, --tls_cert, --tls_key
  channel = open_channel("127.0.0.1:17101", args)
"""

import ipaddress

import grpc


def add_tls_arguments(parser):
    parser.add_argument("--tls_ca", default="", help="CA of the services' certificates (PEM)")
    parser.add_argument("--tls_cert", default="", help="client certificate for mutual TLS (PEM)")
    parser.add_argument("--tls_key", default="", help="its private key (PEM)")


def _is_loopback(address):
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def open_channel(address, args):
    """A channel to `address` with the TLS files of `args` (see add_tls_arguments)."""
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ValueError("a client certificate needs both --tls_cert and --tls_key")
    if not args.tls_ca:
        if args.tls_cert:
            raise ValueError("--tls_cert and --tls_key need --tls_ca")
        if not _is_loopback(address):
            raise ValueError("refusing a plaintext channel to %s, which is not a loopback "
                             "address: give --tls_ca" % address)
        return grpc.insecure_channel(address)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(args.tls_ca),
        private_key=_read(args.tls_key) if args.tls_key else None,
        certificate_chain=_read(args.tls_cert) if args.tls_cert else None)
    return grpc.secure_channel(address, credentials)
