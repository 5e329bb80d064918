import type { ServerMessage } from '../protocol';
import { Board } from './board';
import { readOptions } from './options';
import './style.css';

const options = readOptions(location.search);
const board = new Board(document.getElementById('app')!, options);

/**
 * One EventSource to the server that served the page. It reconnects by itself after a network drop
 * or a server restart (the server asks for 1 s between tries); if the server answers with an error
 * instead, the browser gives up on that EventSource, so a new one is made.
 */
function connect(): void {
  const query = options.types.length ? `?types=${encodeURIComponent(options.types.join(','))}` : '';
  const source = new EventSource(`/events${query}`);
  source.onopen = () => board.setConnected(true);
  source.onmessage = (ev: MessageEvent<string>) => board.handle(JSON.parse(ev.data) as ServerMessage);
  source.onerror = () => {
    board.setConnected(false);
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  };
}

connect();
setInterval(() => board.tick(), 1000);
