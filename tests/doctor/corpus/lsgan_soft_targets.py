"""LSGAN with MSELoss and soft real targets drawn in [0.7, 1.2]."""
# expect: T01=pass T02=na T03=pass T04=pass T05=pass T06=pass T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=na the adversarial loss is MSELoss (least squares)
# reason: T06=pass real targets are torch.empty(b, 1).uniform_(0.7, 1.2)
import torch
import torch.nn as nn
from torchvision import datasets, transforms

mse = nn.MSELoss()
netG = nn.Sequential(
    nn.Linear(62, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
    nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
)
netD = nn.Sequential(
    nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
    nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
)
optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(datasets.EMNIST("data", "letters", download=True, transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])), batch_size=64)

for epoch in range(30):
    for x, _ in loader:
        b = x.size(0)
        real_t = torch.empty(b, 1).uniform_(0.7, 1.2)
        fake = netG(torch.randn(b, 62))
        lossD = mse(netD(x), real_t) + mse(netD(fake.detach()), torch.zeros(b, 1))
        optD.zero_grad()
        lossD.backward()
        optD.step()
        lossG = mse(netD(fake), torch.ones(b, 1))
        optG.zero_grad()
        lossG.backward()
        optG.step()
