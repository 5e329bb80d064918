import type { Manifest } from '../manifest';
import { wsdlModel } from './build';
import { renderWsdl } from './render';

export { wsdlModel } from './build';
export { compareWsdl } from './compare';
export type { WsdlModel, WsdlOperation, XsdComplexType, XsdElement } from './model';
export { parseWsdl } from './parse';
export { renderWsdl } from './render';

export interface WsdlOptions {
  version: string;
  location: string;
}

/** Five9's WSDL of one API version, generated from the manifest and the schemas (see wsdlModel). */
export function generateWsdl(manifest: Manifest, options: WsdlOptions): string {
  return renderWsdl(wsdlModel(manifest, options.version), options.location);
}
