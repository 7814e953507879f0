import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate authority made by a test, for a test: a fresh P-256 key and
/// a self-signed CA certificate valid for a day. It issues server
/// certificates, and writes its own certificate as PEM for `--shopify-ca-file`.
struct TestCertificateAuthority {
    private let key: P256.Signing.PrivateKey
    private let name: DistinguishedName
    let certificate: Certificate

    init(commonName: String = "discountd test CA") throws {
        key = P256.Signing.PrivateKey()
        name = try DistinguishedName { CommonName(commonName) }
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    /// The CA certificate as PEM.
    func pem() throws -> String { try certificate.serializeAsPEM().pemString }

    /// Writes the CA certificate as PEM to `path`.
    func writePEM(to path: String) throws {
        try Data(try pem().utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A server certificate for `ipAddresses` and `dnsNames`, signed by this CA.
    func issueServerCertificate(
        ipAddresses: [[UInt8]] = [[127, 0, 0, 1]], dnsNames: [String] = ["localhost"]
    ) throws -> ServerIdentity {
        let serverKey = P256.Signing.PrivateKey()
        let names =
            ipAddresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
            + dnsNames.map { GeneralName.dnsName($0) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400, issuer: name,
            subject: try DistinguishedName { CommonName(dnsNames.first ?? "loopback") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(key))
        return try ServerIdentity(certificate: certificate, key: serverKey)
    }

    /// A server certificate signed by its own key: no CA vouches for it.
    static func selfSignedServerCertificate() throws -> ServerIdentity {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("localhost") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            },
            issuerPrivateKey: .init(key))
        return try ServerIdentity(certificate: certificate, key: key)
    }
}

/// What a TLS server presents: its certificate and the key that proves it.
struct ServerIdentity: Sendable {
    let certificate: NIOSSLCertificate
    let key: NIOSSLPrivateKey

    init(certificate: Certificate, key: P256.Signing.PrivateKey) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificate = try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
        self.key = try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem)
    }

    var serverConfiguration: TLSConfiguration {
        .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
    }
}
