<?php
// classes.php: the classes the test sessions hold (PHP needs them to read sessions back).
class Cart
{
	private $items = [];
	protected $owner;
	public $currency = 'EUR';

	public function __construct($owner, $items)
	{
		$this->owner = $owner;
		$this->items = $items;
	}
}

class Account extends Cart
{
	private $items = 'shadowed';
	public $id;
}


enum Suit: string
{
	case Hearts = 'H';
	case Spades = 'S';
}

enum Status
{
	case Active;
	case Banned;
}
