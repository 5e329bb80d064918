/**
 * A WSDL as the parts a SOAP toolkit builds from it: the schema's global elements, complex types
 * (their element sequences with occurrences and nillable), simple types (enumerations), messages,
 * the port type's operations and the faults each declares, the binding, the service and its ports.
 * The served WSDL is rendered from this model, the server validates requests against it, and the
 * drift test parses Five9's files into it and compares. QNames are normalised to `xs:` (XML
 * Schema) and `tns:` (the service namespace). Left out: documentation, jaxws customisations and
 * the soap:address location, which say nothing a toolkit binds to.
 */
export interface XsdElement {
  name: string;
  /** A QName (`xs:long`, `tns:row`), or undefined for an anonymous complex type. */
  type?: string;
  complexType?: XsdComplexType;
  minOccurs: number;
  /** A number, or Infinity for unbounded. */
  maxOccurs: number;
  nillable: boolean;
}

export interface XsdComplexType {
  sequence: XsdElement[];
}

export interface WsdlOperation {
  input: string;
  output: string;
  /** Fault name → message QName, in the file's order. */
  faults: Array<{ name: string; message: string }>;
}

export interface WsdlModel {
  name: string;
  targetNamespace: string;
  schema: {
    elementFormDefault: string;
    /** Global element name → type QName. */
    elements: Map<string, string>;
    complexTypes: Map<string, XsdComplexType>;
    /** Enumerations: type name → values in order. */
    simpleTypes: Map<string, string[]>;
  };
  /** Message name → parts. */
  messages: Map<string, Array<{ name: string; element: string }>>;
  portType: { name: string; operations: Map<string, WsdlOperation> };
  binding: {
    name: string;
    type: string;
    style: string;
    transport: string;
    /** Operation → its soapAction and the names of the faults it binds. */
    operations: Map<string, { soapAction: string; faults: string[] }>;
  };
  service: { name: string; ports: Map<string, { binding: string }> };
}
