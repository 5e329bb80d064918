export { SoapCodec } from './codec';
export { parseEnvelope, escapeXml, SOAP_ENV, XSI, type XmlNode } from './xml';
