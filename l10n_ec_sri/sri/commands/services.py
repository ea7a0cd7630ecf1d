"""``sri send``, ``sri authorize`` and ``sri simulator``: SRI's offline web services (SPEC §9)."""

import json
import sys

EXIT_CODES = {"received": 0, "already_received": 0, "authorized": 0, "rejected": 1, "retry": 3}


def register(sub):
    s = sub.add_parser("send", help="send a signed document to Recepción (validarComprobante)")
    s.add_argument("xml", help="signed XML file")
    _endpoint_args(s)
    s.set_defaults(func=_send)

    a = sub.add_parser("authorize", help="ask Autorización for an access key (autorizacionComprobante)")
    a.add_argument("key", help="49-digit access key")
    _endpoint_args(a)
    a.add_argument("-o", "--output", help="save the authorized XML (autorizacion wrapper) to this file")
    a.add_argument("--comprobante-only", action="store_true",
                   help="with -o, save only the signed comprobante instead of the autorizacion wrapper")
    a.set_defaults(func=_authorize)

    m = sub.add_parser("simulator", help="run the loopback SRI simulator (SOAP on 127.0.0.1)")
    m.add_argument("--port", type=int, default=8099)
    m.add_argument("--host", default="127.0.0.1")
    m.add_argument("--db", default=None, help="SQLite file (default ./data/simulator.sqlite3)")
    m.add_argument("--ambiente", default="1", choices=("1", "2"), help="1 pruebas (default), 2 producción")
    m.add_argument("--latency-ms", type=int, default=0, help="delay added to every SOAP answer")
    m.add_argument("--en-proceso-polls", type=int, default=0, help="first N polls of each key: EN PROCESO")
    m.add_argument("--error-70", type=int, default=0, help="next N new receptions answer DEVUELTA 70")
    m.add_argument("--http-500", type=int, default=0, help="next N SOAP requests get HTTP 500 + fault")
    m.add_argument("--drop", type=int, default=0, help="next N SOAP requests: connection closed, no answer")
    m.add_argument("--timeout-s", type=float, default=0, help="sleep before every SOAP answer")
    m.add_argument("--reject-rule", action="append", default=[],
                   help="NO AUTORIZADO when it matches: 'importeTotal>1000', 'buyer=0999999999[|mensaje]'")
    m.add_argument("--no-schema", action="store_true", help="skip XSD validation (error 35)")
    m.add_argument("--no-signature", action="store_true", help="skip signature verification (error 39)")
    m.add_argument("--trust-ca", action="append", default=[], metavar="FILE",
                   help="PEM (one or more certificates) or DER file of a CA the signing certificates must be "
                        "issued by (repeatable); none given: any certificate is trusted. An untrusted or "
                        "invalid signature is RECIBIDA, then NO AUTORIZADO 39, as SRI does")
    m.add_argument("--seed", action="append", default=[], metavar="FILE_OR_DIR",
                   help="serve an authorized document issued by somebody else (the <autorizacion> XML of the "
                        "SRI portal, or a signed comprobante): autorizacionComprobante answers AUTORIZADO for "
                        "its key. Repeatable; a directory means every *.xml in it")
    m.add_argument("-v", "--verbose", action="store_true", help="log every HTTP request")
    m.set_defaults(func=_simulator)


def _endpoint_args(p):
    p.add_argument("--endpoint", default="pruebas", help="pruebas (default), produccion or a base URL "
                                                          "such as http://127.0.0.1:8099")
    p.add_argument("--connect-timeout", type=float, default=10)
    p.add_argument("--read-timeout", type=float, default=30)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--raw", action="store_true", help="also print the raw SOAP request and response")


def _client(args):
    from ..client import SriClient
    return SriClient(args.endpoint, connect_timeout=args.connect_timeout, read_timeout=args.read_timeout)


def _print_result(result, args, extra=()):
    if args.json:
        data = {"outcome": str(result.outcome), "state": result.state, "access_key": result.access_key,
                "messages": [m.__dict__ for m in result.messages], "error": result.error,
                "http_status": result.http_status, "duration": round(result.duration, 4)}
        for name in extra:
            value = getattr(result, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        if args.raw:
            data["raw_request"], data["raw_response"] = result.raw_request, result.raw_response
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(f"outcome: {result.outcome}")
    print(f"state: {result.state or '-'}")
    if result.access_key:
        print(f"access key: {result.access_key}")
    for name in extra:
        value = getattr(result, name)
        if value not in (None, ""):
            print(f"{name}: {value.isoformat() if hasattr(value, 'isoformat') else value}")
    for m in result.messages:
        print(f"message: {m}")
    if result.error:
        print(f"error: {result.error}")
    print(f"duration: {result.duration:.3f}s")
    if args.raw:
        print("--- request\n" + result.raw_request + "\n--- response\n" + result.raw_response)


def _send(args):
    with open(args.xml, "rb") as fh:
        xml = fh.read()
    with _client(args) as client:
        result = client.send(xml)
    _print_result(result, args)
    return EXIT_CODES[result.outcome.value]


def _authorize(args):
    with _client(args) as client:
        result = client.authorize(args.key)
    _print_result(result, args, extra=("number", "date", "environment", "count"))
    if args.output and result.authorized_xml:
        data = result.authorized_xml.encode("utf-8") if args.comprobante_only else result.to_xml()
        with open(args.output, "wb") as fh:
            fh.write(data)
        print(f"saved: {args.output}", file=sys.stderr)
    elif args.output:
        print("nothing saved: the answer carries no comprobante", file=sys.stderr)
    return EXIT_CODES[result.outcome.value]


def _simulator(args):
    from ..errors import SriError
    from ..simulator import Simulator
    knobs = {"latency_ms": args.latency_ms, "en_proceso_polls": args.en_proceso_polls,
             "error_70": args.error_70, "http_500": args.http_500, "drop": args.drop,
             "timeout_s": args.timeout_s, "reject_rule": args.reject_rule}
    try:
        sim = Simulator(port=args.port, db_path=args.db, host=args.host, environment=args.ambiente, knobs=knobs,
                        verbose=args.verbose, validate_schema=not args.no_schema,
                        verify_signature=not args.no_signature, trusted_cas=args.trust_ca, seed=args.seed)
        sim.start()
    except (ValueError, OSError) as exc:
        raise SriError(f"no se pudo iniciar el simulador: {exc}") from None
    cas = sim.knobs.trusted_cas.describe()
    trust = f"trusted CAs: {'; '.join(cas)}" if cas else "any certificate trusted (no --trust-ca)"
    seeded = f", {len(sim.seeded)} seeded document(s)" if sim.seeded else ""
    print(f"SRI simulator on {sim.url} (ambiente {args.ambiente}, db {sim.store.path}, {trust}{seeded}); "
          f"knobs: GET/POST {sim.url}/control; Ctrl-C to stop", flush=True)
    sim.serve_forever()
    return 0
